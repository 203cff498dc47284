import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemorySessionIndex } from '../../src/sessions/stores/memory-session-index.js';

describe('MemorySessionIndex', () => {
  let now: number;
  let index: MemorySessionIndex;
  beforeEach(() => {
    now = 1_000_000;
    index = new MemorySessionIndex(() => now, 3_600_000);
  });
  afterEach(() => index.close());

  it('forgets marks when their time is up', async () => {
    await index.mark('ended:a', '1', 1000);
    expect(await index.readMarks(['ended:a', 'ended:b'])).toEqual(['1', undefined]);
    now += 1000;
    expect(await index.readMarks(['ended:a'])).toEqual([undefined]);
  });

  it('raises a mark only: a lower number arriving later leaves the higher one', async () => {
    await index.raiseMark('ended:user:u', '2000 5', 1000);
    await index.raiseMark('ended:user:u', '1000 9', 1000);
    expect(await index.readMarks(['ended:user:u'])).toEqual(['2000 5']);
    await index.raiseMark('ended:user:u', '3000 1', 1000);
    expect(await index.readMarks(['ended:user:u'])).toEqual(['3000 1']);
  });

  it('gives a lock to one owner at a time, until it is released or its time is up', async () => {
    expect(await index.lock('refresh:a', 'first', 1000)).toBe(true);
    expect(await index.lock('refresh:a', 'second', 1000)).toBe(false);
    await index.unlock('refresh:a', 'second');
    expect(await index.lock('refresh:a', 'second', 1000)).toBe(false);
    await index.unlock('refresh:a', 'first');
    expect(await index.lock('refresh:a', 'second', 1000)).toBe(true);
    now += 1000;
    expect(await index.lock('refresh:a', 'third', 1000)).toBe(true);
    await index.unlock('refresh:a', 'second');
    expect(await index.lock('refresh:a', 'fourth', 1000)).toBe(false);
  });

  it('says how many members a set holds after each addition', async () => {
    expect(await index.add('user:u', 's1', now + 100)).toBe(1);
    expect(await index.add('user:u', 's1', now + 200)).toBe(1);
    expect(await index.add('user:u', 's2', now + 100)).toBe(2);
  });

  it('prunes expired marks and members without being asked for them, so memory stays flat', async () => {
    await index.add('user:u', 's1', now + 10);
    await index.add('user:u', 's2', now + 10_000);
    await index.mark('ended:x', '1', 10);
    now += 100;
    expect(index.prune()).toBe(2);
    expect(await index.members('user:u', now)).toEqual(['s2']);
  });

  it('keeps a set as one member, then several, then one again, without losing an expiry', async () => {
    await index.add('sid:p', 'a', now + 100);
    await index.add('sid:p', 'a', now + 200);
    expect(await index.members('sid:p', now + 150)).toEqual(['a']);
    await index.add('sid:p', 'b', now + 300);
    await index.add('sid:p', 'c', now + 400);
    expect(await index.members('sid:p', now)).toEqual(['a', 'b', 'c']);
    await index.remove('sid:p', ['a', 'c']);
    expect(await index.members('sid:p', now)).toEqual(['b']);
    expect(await index.members('sid:p', now + 299)).toEqual(['b']);
    expect(await index.members('sid:p', now + 300)).toEqual([]);
    await index.add('sid:p', 'd', now + 500);
    expect(await index.members('sid:p', now)).toEqual(['d']);
  });

  it('drops a set whose last member is removed or expired', async () => {
    await index.add('user:one', 'a', now + 10);
    await index.add('user:two', 'b', now + 10);
    await index.add('user:two', 'c', now + 10_000);
    await index.remove('user:one', ['a']);
    expect(await index.members('user:one', now)).toEqual([]);
    now += 100;
    expect(index.prune()).toBe(1);
    expect(await index.members('user:two', now)).toEqual(['c']);
  });
});
