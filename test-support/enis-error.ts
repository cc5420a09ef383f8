import { EnisError } from "@enis/core";

/** Runs `action` and returns the EnisError it throws; fails the test if it throws nothing or anything else. */
export function catchEnisError(action: () => unknown): EnisError {
  try {
    action();
  } catch (error) {
    if (EnisError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected an EnisError, but nothing was thrown");
}

/** `[code, field]` of the EnisError `action` throws, or `["none", undefined]` when it throws nothing. */
export function codeOf(action: () => unknown): [string, string | undefined] {
  try {
    action();
  } catch (error) {
    if (EnisError.isInstance(error)) return [error.code, error.field];
    throw error;
  }
  return ["none", undefined];
}
