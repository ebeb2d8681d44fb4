/**
 * Rule 8 as properties over any interleaving of triggers (from any source)
 * with the machine's steps: detections never overlap, no trigger is lost,
 * and a burst costs at most one more detection.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExportJob } from '../../src/pleo/schemas.js';
import { controlledMachine, type JournalEntry } from './controlled-machine.js';

type Command = { kind: 'trigger'; source: 'webhook' | 'schedule' | 'manual' } | { kind: 'step' };

const commandsArb = fc.array(
  fc.oneof(
    fc.record({
      kind: fc.constant('trigger' as const),
      source: fc.constantFrom('webhook' as const, 'schedule' as const, 'manual' as const),
    }),
    fc.constant({ kind: 'step' as const }),
  ),
  { minLength: 1, maxLength: 40 },
);

async function run(commands: readonly Command[], listing: (n: number) => ExportJob[]) {
  const machine = controlledMachine(listing);
  for (const command of commands) {
    if (command.kind === 'trigger') machine.trigger(command.source);
    else await machine.step();
  }
  await machine.drain();
  machine.actor.stop();
  return machine;
}

/** Each detection after the first needs a cause since the one before it. */
function unjustifiedDetections(journal: readonly JournalEntry[]): number {
  let causes = 0;
  let unjustified = 0;
  for (const entry of journal) {
    if (entry.type === 'detect') {
      if (causes === 0) unjustified += 1;
      causes = 0;
    } else {
      causes += 1;
    }
  }
  return unjustified;
}

function lastIndex(journal: readonly JournalEntry[], type: JournalEntry['type']): number {
  return journal.map((e) => e.type).lastIndexOf(type);
}

const pendingJob = (n: number): ExportJob => ({
  id: `job-${n}`,
  companyId: 'c1',
  status: 'pending',
  createdAt: '2026-11-30T09:00:00Z',
});

describe('trigger coalescing, for any interleaving of triggers and steps', () => {
  it('with nothing to export, costs a detection per idle trigger and per busy cycle', async () => {
    await fc.assert(
      fc.asyncProperty(commandsArb, async (commands) => {
        const { journal, mostAtOnce, actor } = await run(commands, () => []);
        const detections = journal.filter((e) => e.type === 'detect').length;
        const idleTriggers = journal.filter((e) => e.type === 'trigger' && e.whileIdle).length;
        // A detection that saw at least one trigger is followed by exactly one more.
        let busyCycles = 0;
        let sawTrigger = false;
        for (const entry of journal) {
          if (entry.type === 'detect') {
            if (sawTrigger) busyCycles += 1;
            sawTrigger = false;
          } else if (entry.type === 'trigger' && !entry.whileIdle) {
            sawTrigger = true;
          }
        }
        expect(mostAtOnce()).toBeLessThanOrEqual(1);
        expect(sawTrigger).toBe(false);
        expect(detections).toBe(idleTriggers + busyCycles);
        expect(actor.getSnapshot().context.redetect).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('while exporting, runs one step at a time, loses no trigger, detects only for a cause',
    async () => {
      const foundArb = fc.array(fc.boolean(), { maxLength: 10 });
      await fc.assert(
        fc.asyncProperty(commandsArb, foundArb, async (commands, found) => {
          const listing = (n: number) => (found[n - 1] ? [pendingJob(n)] : []);
          const { journal, mostAtOnce } = await run(commands, listing);
          expect(mostAtOnce()).toBeLessThanOrEqual(1);
          expect(unjustifiedDetections(journal)).toBe(0);
          const lastTrigger = lastIndex(journal, 'trigger');
          if (lastTrigger >= 0) expect(lastIndex(journal, 'detect')).toBeGreaterThan(lastTrigger);
        }),
        { numRuns: 150 },
      );
    });

  it('answers a burst of triggers during a detection with exactly one more detection', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 50 }), async (burst) => {
        const commands: Command[] = [
          { kind: 'trigger', source: 'manual' },
          ...Array.from({ length: burst }, (): Command => ({ kind: 'trigger', source: 'webhook' })),
        ];
        const { journal } = await run(commands, () => []);
        expect(journal.filter((e) => e.type === 'detect')).toHaveLength(2);
      }),
      { numRuns: 30 },
    );
  });
});
