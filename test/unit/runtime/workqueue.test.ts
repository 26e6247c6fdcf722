// The hand-written runtime pieces: workqueue semantics and the transition scheduler with the fake clock.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkQueue } from '../../../src/runtime/workqueue.ts';
import { TransitionScheduler } from '../../../src/runtime/transition-scheduler.ts';
import { FakeClock } from '../../../src/runtime/clock.ts';

describe('workqueue', () => {
  it('dedups a key added twice before it is processed', async () => {
    const q = new WorkQueue();
    q.add('a'); q.add('a'); q.add('b');
    assert.equal(q.len(), 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
    q.shutDown();
  });
  it('never hands out a key that is being processed; a change during processing requeues it once', async () => {
    const q = new WorkQueue();
    q.add('a');
    const k = await q.get();
    q.add('a'); q.add('a');
    assert.equal(q.len(), 0, 'not queued while processing');
    q.done(k ?? '');
    assert.equal(q.len(), 1, 'queued once after done');
    assert.equal(await q.get(), 'a');
    q.done('a');
    assert.equal(q.len(), 0);
    q.shutDown();
  });
  it('a waiting worker receives a key added later', async () => {
    const q = new WorkQueue();
    const p = q.get();
    q.add('x');
    assert.equal(await p, 'x');
    q.shutDown();
  });
  it('backs off per key exponentially and forgets on success', () => {
    const q = new WorkQueue({ baseDelayMs: 1000, maxDelayMs: 4000 });
    for (let i = 0; i < 5; i++) q.addRateLimited('a');
    assert.equal(q.failureCount('a'), 5);
    q.forget('a');
    assert.equal(q.failureCount('a'), 0);
    q.shutDown();
  });
  it('addAfter delivers the key after the delay', async () => {
    const q = new WorkQueue();
    q.addAfter('later', 20);
    assert.equal(q.len(), 0);
    await sleep(60);
    assert.equal(q.len(), 1);
    q.shutDown();
  });
  it('after shutdown no queued key is handed out (graceful shutdown finishes only in-flight work)', async () => {
    const q = new WorkQueue();
    q.add('a'); q.add('b');
    q.shutDown();
    assert.equal(await q.get(), undefined);
  });
  it('shutdown releases waiting workers with undefined', async () => {
    const q = new WorkQueue();
    const p = q.get();
    q.shutDown();
    assert.equal(await p, undefined);
  });
});

describe('transition scheduler with the test clock', () => {
  it('R-WINDOW fires every due key at once when the clock moves, and nothing before', () => {
    const clock = new FakeClock(0);
    const fired: string[] = [];
    const s = new TransitionScheduler(clock, (k) => fired.push(k));
    s.schedule('window', 1000);
    s.schedule('expiry', 5000);
    clock.advance(999);
    assert.deepEqual(fired, []);
    clock.advance(1);
    assert.deepEqual(fired, ['window']);
    clock.set(10_000);
    assert.deepEqual(fired, ['window', 'expiry']);
    assert.equal(s.size(), 0);
    s.stop();
  });
  it('an instant already due fires at once; rescheduling replaces; null clears', () => {
    const clock = new FakeClock(100);
    const fired: string[] = [];
    const s = new TransitionScheduler(clock, (k) => fired.push(k));
    s.schedule('now', 50);
    assert.deepEqual(fired, ['now']);
    s.schedule('k', 200);
    s.schedule('k', 300);
    clock.set(250);
    assert.deepEqual(fired, ['now']);
    s.schedule('k', null);
    clock.set(400);
    assert.deepEqual(fired, ['now']);
    s.stop();
  });
});
