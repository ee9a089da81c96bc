/**
 * Errors the CLI reports as exit code 2 with a message and no stack. They are recognised
 * by name, not by class: the probe command runs from its own bundle (dist/probe.js),
 * whose copies of these classes are different objects.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Input that the analysis cannot answer exactly (exit 2, with the reasons listed). */
export class InputError extends Error {
  override readonly name = 'InputError';

  constructor(
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }
}

export function isUsageError(error: unknown): error is UsageError {
  return error instanceof Error && error.name === 'UsageError';
}

export function isInputError(error: unknown): error is InputError {
  return error instanceof Error && error.name === 'InputError' && Array.isArray((error as InputError).details);
}
