import { describe, expect, it } from 'vitest';
import { hogMemory, MemoryHogSurvived } from './memory-hog.js';

describe('hogMemory', () => {
  it('takes the memory as resident pages, and fails when nothing kills it', async () => {
    const before = process.memoryUsage().rss;
    let peak = before;
    const probe = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 1);
    try {
      await expect(hogMemory(64, 50)).rejects.toThrow(MemoryHogSurvived);
    } finally {
      clearInterval(probe);
    }
    // Touched, not just reserved: a zero-filled buffer might never become resident.
    expect(peak - before).toBeGreaterThan(48 * 1024 * 1024);
  });
});
