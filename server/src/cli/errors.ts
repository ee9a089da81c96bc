/** Errors the CLI reports as exit code 2 with a one-line message (no stack). */
export class UsageError extends Error {}

/** Input that the analysis cannot answer exactly (exit 2, with the reasons listed). */
export class InputError extends Error {
  constructor(
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }
}
