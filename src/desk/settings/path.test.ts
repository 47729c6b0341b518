import { describe, expect, it } from 'vitest';
import { getIn, join, parsePath, setIn } from './path.ts';

describe('paths into the settings document', () => {
  it('reads the paths the server names in its errors', () => {
    expect(parsePath('widgets[0].channels[12].phone')).toEqual(['widgets', 0, 'channels', 12, 'phone']);
    const document = { widgets: [{ id: 'acme', channels: [{ id: 'tg', username: 'acme' }] }] };
    expect(getIn(document, 'widgets[0].channels[0].username')).toBe('acme');
    expect(getIn(document, 'widgets[3].id')).toBeUndefined();
    expect(join(join('widgets[0]', 'channels'), 2)).toBe('widgets[0].channels[2]');
  });

  it('writes a copy, sharing what did not change, and removes a key set to undefined', () => {
    const document = { widgets: [{ id: 'acme', theme: { color: '#000000' }, channels: [] }], helpdesk: { groups: [] } };
    const changed = setIn(document, 'widgets[0].theme.color', '#ffffff');
    expect(changed.widgets[0]!.theme.color).toBe('#ffffff');
    expect(document.widgets[0]!.theme.color).toBe('#000000');
    expect(changed.helpdesk).toBe(document.helpdesk);
    expect(changed.widgets[0]!.channels).toBe(document.widgets[0]!.channels);
    const removed = setIn(changed, 'widgets[0].theme.color', undefined);
    expect('color' in removed.widgets[0]!.theme).toBe(false);
    // Missing containers are made on the way: an array for an index, an object for a key.
    expect(setIn({}, 'helpdesk.groups[0].id', 'general')).toEqual({ helpdesk: { groups: [{ id: 'general' }] } });
  });
});
