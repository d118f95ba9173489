import { describe, expect, it } from 'vitest';
import { StoryFormatError } from '../../conformance/errors.ts';
import { groupFiles } from '../../conformance/groups.ts';
import { loadStory, parseStory } from '../../conformance/story.ts';

describe('story loading', () => {
  it('parses a story with all three sections', () => {
    const story = parseStory(`
description: Test.
prologues: [{path: /a, method: PUT, status: [200, 404]}]
chapters: [{synopsis: S., path: /b, method: [GET, POST], response: {status: 201}}]
epilogues: [{path: /a, method: DELETE}]
`);
    expect(story.prologues?.[0]?.status).toEqual([200, 404]);
    expect(story.chapters[0]?.method).toEqual(['GET', 'POST']);
    expect(story.epilogues?.[0]?.path).toBe('/a');
  });

  it.each([
    ['not: [valid', 'invalid YAML'],
    ['- a list', 'not a mapping'],
    ['description: x', 'no chapters'],
    ['description: x\nchapters: [{synopsis: s, method: GET}]', 'chapter 1: missing path'],
    ['description: x\nchapters: [{synopsis: s, path: /}]', 'chapter 1: missing method'],
    ['description: x\nchapters: []\nprologues: {a: 1}', 'prologues is not a list'],
  ])('rejects %j (%s)', (text, message) => {
    expect(() => parseStory(text, 's.yaml')).toThrow(StoryFormatError);
    expect(() => parseStory(text, 's.yaml')).toThrow(message);
  });

  it('loads every target story of both groups', async () => {
    for (const file of [...groupFiles('core'), ...groupFiles('lifecycle')]) {
      const story = await loadStory(file);
      expect(story.chapters.length, file).toBeGreaterThan(0);
    }
  });
});
