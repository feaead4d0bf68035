import { describe, expect, it } from 'vitest';
import { firstListElement, splitHeaderList } from './header-list.js';

describe('splitHeaderList', () => {
  it('splits on top-level commas only', () => {
    expect(splitHeaderList('<sip:a@b;x=1,2>;q=0.5, "Doe, J" <sip:c@d>,sip:e@f')).toEqual([
      '<sip:a@b;x=1,2>;q=0.5', '"Doe, J" <sip:c@d>', 'sip:e@f',
    ]);
  });

  it('honours backslash escapes inside quotes', () => {
    expect(splitHeaderList('"a \\", b" <sip:x>, <sip:y>')).toEqual(['"a \\", b" <sip:x>', '<sip:y>']);
  });

  it('keeps empty elements so grammar checks can reject them, and returns [] for an empty value', () => {
    expect(splitHeaderList('a,,b,')).toEqual(['a', '', 'b', '']);
    expect(splitHeaderList('  ')).toEqual([]);
  });

  it('keeps Unicode spaces that are part of a value', () => {
    expect(splitHeaderList('\ufeffx, y')).toEqual(['\ufeffx', 'y']);
  });

  it('firstListElement stops at the first separator', () => {
    expect(firstListElement(' "x,y" <sip:a>, <sip:b>')).toBe('"x,y" <sip:a>');
    expect(firstListElement('single')).toBe('single');
  });
});
