// The edge identifies a carrier's trunk by source address, so no address may belong to two
// trunks, unless both trunks are also identified by client certificate, which then
// decides. Phones never share addresses with trunks: a REGISTER or INVITE from a shared
// address could be taken for either.
import { cidrBlocksOverlap, parseCidr, type CidrBlock } from './ip-literal.js';
import type { PopConfig } from './pop-schema.js';
import type { FieldPath } from './yaml-positions.js';
import type { PathProblem } from './path-problem.js';

interface ListedBlock {
  path: FieldPath;
  owner: string;
  block: CidrBlock;
  identifiedByCertificate: boolean;
}

function listedBlocks(list: readonly string[], basePath: FieldPath, owner: string, identifiedByCertificate: boolean): ListedBlock[] {
  return list.flatMap((text, index) => {
    const block = parseCidr(text);
    return typeof block === 'string' ? [] : [{ path: [...basePath, index], owner, block, identifiedByCertificate }];
  });
}

export function allowListOverlapProblems(config: PopConfig): PathProblem[] {
  const problems: PathProblem[] = [];
  const trunkBlocks = config.trunks.map((trunk, index) =>
    listedBlocks(trunk.allow, ['trunks', index, 'allow'], `trunk "${trunk.name}"`, trunk.clientCert !== undefined));

  for (let later = 0; later < trunkBlocks.length; later++) {
    for (let earlier = 0; earlier < later; earlier++) {
      for (const b of trunkBlocks[later] ?? []) {
        for (const a of trunkBlocks[earlier] ?? []) {
          if (!cidrBlocksOverlap(a.block, b.block)) continue;
          if (a.identifiedByCertificate && b.identifiedByCertificate) continue;
          problems.push({
            path: b.path,
            message: `${b.block.text} of ${b.owner} overlaps ${a.block.text} of ${a.owner}: the trunk of a call from there would be ambiguous (give both trunks clientCert to tell them apart by certificate)`,
          });
        }
      }
    }
  }

  if (config.phones) {
    const phoneBlocks = listedBlocks(config.phones.allow, ['phones', 'allow'], 'phones', false);
    for (const phone of phoneBlocks) {
      for (const trunk of trunkBlocks.flat()) {
        if (!cidrBlocksOverlap(phone.block, trunk.block)) continue;
        problems.push({
          path: phone.path,
          message: `${phone.block.text} of phones overlaps ${trunk.block.text} of ${trunk.owner}: phones and trunks must come from distinct addresses`,
        });
      }
    }
  }
  return problems;
}
