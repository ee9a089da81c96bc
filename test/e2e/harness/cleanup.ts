// Things to undo however the run ends: normal end, a thrown error, Ctrl-C, SIGTERM.
// Each resource registers an async undo function (e.g. kill code-server by its PID) and a
// synchronous last resort for `process.on('exit')`, where nothing async can run.
import { log } from './log';

interface Cleanup {
  name: string;
  run: () => Promise<void>;
  runSync: () => void;
}

const cleanups = new Set<Cleanup>();
let signalsInstalled = false;

/** Registers a cleanup; returns a function that runs it once and unregisters it. */
export function onCleanup(name: string, run: () => Promise<void>, runSync: () => void): () => Promise<void> {
  installSignalHandlers();
  const entry: Cleanup = { name, run, runSync };
  cleanups.add(entry);
  return async () => {
    if (!cleanups.delete(entry)) return;
    await run();
  };
}

/** Runs every pending cleanup, newest first. */
export async function cleanupAll(): Promise<void> {
  for (const entry of [...cleanups].reverse()) {
    cleanups.delete(entry);
    try {
      await entry.run();
    } catch (error) {
      log(`cleanup of ${entry.name} failed: ${(error as Error).message}`);
    }
  }
}

function installSignalHandlers(): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      log(`${signal}: stopping what the harness started`);
      void cleanupAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
  process.on('exit', () => {
    for (const entry of cleanups) {
      try {
        entry.runSync();
      } catch {
        // Exiting anyway; nothing more to do.
      }
    }
  });
}
