/** What the poll asks squeue: the list form, whose slurmctld cost does not grow with the number of jobs. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pollScript, squeueJobList } from './poll-script.js';

test('one job is asked about as a list (squeue\'s single-job path costs slurmctld an RPC more)', () => {
  assert.equal(squeueJobList(['4242']), '4242,4242');
  assert.equal(squeueJobList(['1', '2_3', '4']), '1,2_3,4');
  const script = pollScript('n0nce', { jobIds: ['4242'], steps: [], accounting: true });
  assert.match(script, /squeue --noheader --array --states=all --jobs=4242,4242 /);
});
