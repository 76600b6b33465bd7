import { readFileSync } from "node:fs";

/** Descriptors kept free for the store, log files, DNS and the like. */
const RESERVED_DESCRIPTORS = 256;

/**
 * The connections the process's open-file limit leaves room for, or undefined
 * where the limit cannot be read (not Linux). Past that limit accept() fails
 * with EMFILE, so the connection cap must stay below it.
 */
export function connectionsTheFileLimitAllows(limits = readLimits()): number | undefined {
  const match = limits && /^Max open files\s+(\d+|unlimited)/m.exec(limits);
  if (!match || match[1] === "unlimited") return undefined;
  return Math.max(1, Number(match[1]) - RESERVED_DESCRIPTORS);
}

function readLimits(): string | undefined {
  try {
    return readFileSync("/proc/self/limits", "utf8");
  } catch {
    return undefined;
  }
}
