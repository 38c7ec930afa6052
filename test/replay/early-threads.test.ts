import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import {
  closeEarlyDecodeThreads,
  defaultDecodeThreads,
  earlyThreadCount,
  startEarlyDecodeThreads,
  takeEarlyDecodeThread,
} from '../../src/replay/early-threads.ts';

describe('decode threads started before the replay loads (early-threads.ts)', () => {
  test('how many a command line asks for, read without the parser', () => {
    assert.equal(earlyThreadCount(['replay', 'night/']), defaultDecodeThreads());
    assert.equal(earlyThreadCount(['replay', 'night/', '--threads', '2']), 2);
    assert.equal(earlyThreadCount(['replay', '--threads=3', 'night/']), 3);
    assert.equal(earlyThreadCount(['--progress', 'replay', 'night/']), defaultDecodeThreads());
    // None: no threads asked for, not a number of threads, time slides, help, another command.
    assert.equal(earlyThreadCount(['replay', 'night/', '--threads', '0']), undefined);
    assert.equal(earlyThreadCount(['replay', 'night/', '--threads=0']), undefined);
    assert.equal(earlyThreadCount(['replay', 'night/', '--threads', 'many']), undefined);
    assert.equal(earlyThreadCount(['replay', 'night/', '--threads', '1.5']), undefined);
    assert.equal(earlyThreadCount(['replay', 'night/', '--threads', '65']), undefined);
    assert.equal(earlyThreadCount(['replay', 'night/', '--time-slides', '10']), undefined);
    assert.equal(earlyThreadCount(['replay', 'night/', '--timeSlides=10']), undefined);
    assert.equal(earlyThreadCount(['replay', '--help']), undefined);
    assert.equal(earlyThreadCount(['serve', '--threads', '2']), undefined);
    assert.equal(earlyThreadCount([]), undefined);
  });

  test('each thread is handed over once; those not taken are stopped at the end', async () => {
    startEarlyDecodeThreads(['replay', 'night/', '--threads', '2']);
    const first = takeEarlyDecodeThread(1);
    assert.ok(first, 'thread 1 was started early');
    assert.equal(takeEarlyDecodeThread(1), undefined, 'once');
    assert.equal(takeEarlyDecodeThread(3), undefined, 'only those asked for');
    const exited = once(first, 'exit');
    await first.terminate();
    await exited;
    // Thread 2 was not taken: stopped here, and not handed over afterwards.
    await closeEarlyDecodeThreads();
    assert.equal(takeEarlyDecodeThread(2), undefined);
    // Another command line starts none.
    startEarlyDecodeThreads(['serve']);
    assert.equal(takeEarlyDecodeThread(1), undefined);
  });
});
