/**
 * The design oracle must notice a broken rule even when the model agrees
 * with the orchestrator (both run the same machine).
 */
import { describe, expect, it } from 'vitest';
import { initialContext } from '../../machines/actions.js';
import type { RecordedRequest } from '../../src/emulator/index.js';
import { statusOf } from '../../src/orchestrator/status.js';
import type { OrchestratorStatus } from '../../src/orchestrator/types.js';
import { MODEL_CONFIGS } from './configs.js';
import { ruleViolations, type StepFacts } from './expectations.js';
import { NEWEST, OLDEST, PENDING_IN_SERVER_ORDER } from './world-jobs.js';

function status(state: string, candidate: string | null = null): OrchestratorStatus {
  const context = { ...initialContext({}), candidate: null };
  const base = statusOf(state, context, true);
  return { ...base, candidateJobId: candidate };
}

function facts(overrides: Partial<StepFacts>): StepFacts {
  return {
    move: 'trigger:manual',
    config: MODEL_CONFIGS[0]!,
    before: status('idle'),
    after: status('detecting'),
    sent: [],
    seen: [],
    wire: [],
    heldInPleo: [],
    seeds: [],
    excluded: new Set(),
    reported: new Set(),
    stopCalled: false,
    detectedBefore: false,
    triggerPending: false,
    events: [],
    host: { processed: [], preChecked: [] },
    processed: [],
    jobStatus: () => 'pending',
    ...overrides,
  };
}

const pending = PENDING_IN_SERVER_ORDER.map((job) => ({ ...job, status: 'pending' as const }));

describe('the design oracle', () => {
  it('accepts a step that keeps the rules', () => {
    expect(ruleViolations(facts({}))).toEqual([]);
  });

  it('flags a write that reaches Pleo while detecting (rule 1)', () => {
    const write = { method: 'POST', path: '/v3/export-job-events', body: { event: 'started' } };
    const found = ruleViolations(facts({
      move: 'detect:none',
      before: status('detecting'),
      after: status('idle'),
      wire: [write as RecordedRequest],
    }));
    expect(found.join('\n')).toContain('rule 1');
  });

  it('flags a selection that is not the oldest eligible job (rule 3)', () => {
    const found = ruleViolations(facts({
      move: 'detect:pending',
      before: status('detecting'),
      after: status('preChecking', NEWEST.id),
      seeds: pending,
    }));
    expect(found.join('\n')).toContain(`the oldest eligible is ${OLDEST.id}`);
  });

  it('flags a conflict that does not lead to the conflict pause (rule 5)', () => {
    const found = ruleViolations(facts({
      move: 'claim:conflict',
      before: status('claiming.sending', OLDEST.id),
      after: status('retryWait'),
      sent: [{ method: 'POST', path: '/v3/export-job-events', kind: 'started',
        jobId: OLDEST.id, state: 'claiming.sending', heldJobId: null }],
    }));
    expect(found.join('\n')).toContain('the design allows conflict');
  });

  it('flags a second started for one claim attempt (rule 4)', () => {
    const started = { method: 'POST', path: '/v3/export-job-events', kind: 'started' as const,
      jobId: OLDEST.id, state: 'claiming.sending', heldJobId: null };
    const found = ruleViolations(facts({
      move: 'claim:ok',
      before: status('claiming.sending', OLDEST.id),
      after: status('claimed.processing'),
      sent: [started, started],
    }));
    expect(found.join('\n')).toContain('rule 4: 2 started');
  });
});
