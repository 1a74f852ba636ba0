import { createDecipheriv } from "node:crypto";

/**
 * Decrypts a KIS real-time notice body: AES-256-CBC, PKCS#7, base64, with the key (32 characters)
 * and iv (16 characters) sent in the answer to the subscription, used as UTF-8 bytes.
 */
export function kisDecrypt(key: string, iv: string, base64: string): string {
  const k = Buffer.from(key, "utf8");
  const v = Buffer.from(iv, "utf8");
  if (k.length !== 32) throw new Error(`invalid aes key length: ${k.length} (expected 32)`);
  if (v.length !== 16) throw new Error(`invalid aes iv length: ${v.length} (expected 16)`);
  const decipher = createDecipheriv("aes-256-cbc", k, v);
  return Buffer.concat([decipher.update(Buffer.from(base64, "base64")), decipher.final()]).toString("utf8");
}
