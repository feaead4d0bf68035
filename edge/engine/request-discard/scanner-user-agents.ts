// User-Agent values of well-known SIP scanners and war-diallers. Matched as
// case-insensitive substrings: scanners append versions and vary case.
const SCANNER_USER_AGENTS: readonly string[] = [
  'friendly-scanner', 'sipvicious', 'sipcli', 'sip-cli', 'sip-scan', 'sipsak', 'vaxsipuseragent',
  'vaxasip', 'sundayddr', 'iwar', 'sivus', 'smap', 'pplsip', 'voipsniff', 'gulp', 'siparmyknife',
  'sipptk', 'nmap', 'masscan',
];

export function isScannerUserAgent(userAgent: string | undefined, list: readonly string[] = SCANNER_USER_AGENTS): boolean {
  if (userAgent === undefined || userAgent === '') return false;
  const value = userAgent.toLowerCase();
  return list.some((scanner) => value.includes(scanner));
}
