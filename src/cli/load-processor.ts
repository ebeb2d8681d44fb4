import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PreCheck, Processor } from '../orchestrator/types.js';
import { UsageError } from './flags.js';

export interface ProcessorModule {
  processor: Processor;
  preChecks: PreCheck[];
}

/**
 * Loads `--processor <module>`: its default export (or `processor`) is the
 * processor; an optional `preChecks` array is used as the pre-checks.
 */
export async function loadProcessorModule(specifier: string): Promise<ProcessorModule> {
  const isPath = specifier.startsWith('.') || path.isAbsolute(specifier);
  const target = isPath ? pathToFileURL(path.resolve(specifier)).href : specifier;
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(target)) as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UsageError(`--processor: cannot load module '${specifier}': ${reason}`);
  }
  const processor = loaded.default ?? loaded.processor;
  if (typeof processor !== 'function') {
    throw new UsageError(
      `--processor: module '${specifier}' must export a processor function as its default export.`,
    );
  }
  const preChecks = loaded.preChecks ?? [];
  if (!Array.isArray(preChecks)) {
    throw new UsageError(`--processor: 'preChecks' of module '${specifier}' must be an array.`);
  }
  return { processor: processor as Processor, preChecks: preChecks as PreCheck[] };
}
