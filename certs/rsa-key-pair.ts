// RSA key pairs. node:crypto generates them (OpenSSL, far faster than node-forge's pure
// JavaScript prime search); node-forge gets the same key to build and sign certificates.
// node-forge handles RSA only, which is why certs/ does not offer ECDSA.
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { CertificateError, errorReason } from './certificate-error.js';

export const rsaKeySizes = [2048, 3072, 4096] as const;
export type RsaKeySize = (typeof rsaKeySizes)[number];

export interface RsaKeyPair {
  /** Unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY"). */
  privateKeyPem: string;
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
}

export function generateRsaKeyPair(bits: RsaKeySize): RsaKeyPair {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
  return rsaKeyPairFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
}

/** The key pair of an unencrypted RSA private key in PEM (PKCS#1 or PKCS#8). */
export function rsaKeyPairFromPem(privateKeyPem: string, source = 'the private key'): RsaKeyPair {
  let privateKey: forge.pki.rsa.PrivateKey;
  try {
    privateKey = forge.pki.privateKeyFromPem(privateKeyPem);
  } catch (error) {
    throw new CertificateError(`${source} is not an unencrypted RSA private key in PEM (${errorReason(error)})`);
  }
  return { privateKeyPem, privateKey, publicKey: forge.pki.setRsaPublicKey(privateKey.n, privateKey.e) };
}
