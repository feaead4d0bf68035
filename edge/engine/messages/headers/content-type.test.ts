import { describe, expect, it } from 'vitest';
import { contentTypeParam, parseContentType } from './content-type.js';

describe('parseContentType', () => {
  it('parses type, subtype and parameters, lower-casing the media type', () => {
    const type = parseContentType('Multipart/Mixed ; boundary="unique \\"b\\""; charset=UTF-8');
    expect(type?.mediaType).toBe('multipart/mixed');
    expect(contentTypeParam(type!, 'Boundary')).toBe('unique "b"');
    expect(contentTypeParam(type!, 'charset')).toBe('UTF-8');
    expect(contentTypeParam(type!, 'missing')).toBeUndefined();
  });

  it.each(['', 'application', 'application/', '/sdp', 'application/sdp;', 'text/plain; charset="x'])('rejects %j', (value) => {
    expect(parseContentType(value)).toBeUndefined();
  });
});
