/** Reading the `netreach.*` settings from the client, with defaults and validation. */
import type { Connection } from 'vscode-languageserver';
import { DEFAULT_SETTINGS, type CheckSetting, type NetreachSettings } from '../protocol';

const CHECK_SETTINGS = new Set<CheckSetting>(['off', 'error', 'warning', 'info']);

export function normalizeSettings(raw: unknown): NetreachSettings {
  const value = (raw ?? {}) as Record<string, unknown>;
  const checks: Record<string, CheckSetting> = {};
  if (value.checks && typeof value.checks === 'object') {
    for (const [code, setting] of Object.entries(value.checks as Record<string, unknown>)) {
      const normalized = String(setting).toLowerCase() as CheckSetting;
      if (/^NR\d{3}$/i.test(code) && CHECK_SETTINGS.has(normalized)) checks[code.toUpperCase()] = normalized;
    }
  }
  const strings = (v: unknown, fallback: readonly string[]) =>
    Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : fallback;
  return {
    checks,
    include: strings(value.include, DEFAULT_SETTINGS.include),
    exclude: strings(value.exclude, DEFAULT_SETTINGS.exclude),
    ipBlockPods: value.ipBlockPods === 'ignore' ? 'ignore' : 'match',
    schema: value.schema === 'on' || value.schema === 'off' ? value.schema : 'auto',
    maxFileSize:
      typeof value.maxFileSize === 'number' && value.maxFileSize > 0 ? value.maxFileSize : DEFAULT_SETTINGS.maxFileSize,
  };
}

/**
 * The client's `netreach` settings: asked for through `workspace/configuration` when the
 * client supports it; otherwise `given`, the settings the client sent itself (the
 * `netreach` section of `initializationOptions` or of the last
 * `workspace/didChangeConfiguration`), as clients without configuration requests do.
 */
export async function fetchSettings(
  connection: Connection,
  supported: boolean,
  given?: unknown,
): Promise<NetreachSettings> {
  if (!supported) return normalizeSettings(given);
  try {
    const [raw] = await connection.workspace.getConfiguration([{ section: 'netreach' }]);
    return normalizeSettings(raw);
  } catch {
    return DEFAULT_SETTINGS;
  }
}

/** The `netreach` section of a settings object a client sent, if it has one. */
export function netreachSection(sent: unknown): unknown {
  return sent && typeof sent === 'object' ? (sent as Record<string, unknown>).netreach : undefined;
}
