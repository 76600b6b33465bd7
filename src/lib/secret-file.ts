import { constants } from "node:fs";
import { mkdir, open, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";

export class FileExistsError extends Error {
  override name = "FileExistsError";
}

/**
 * Writes a secret (token, key file) to a new file readable by the owner only.
 * An existing file is never replaced: it may hold the only copy of another secret.
 */
export async function writeNewSecretFile(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  let file: FileHandle | undefined;
  try {
    // O_EXCL: fails instead of following or truncating whatever is there, even when created meanwhile.
    file = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new FileExistsError(`${path} exists; it is never overwritten`);
    throw error;
  }
  try {
    await file.chmod(0o600); // the mode given to open is narrowed by the umask, never widened; make it exact
    await file.writeFile(content);
  } finally {
    await file.close();
  }
}
