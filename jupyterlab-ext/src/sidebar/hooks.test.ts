// @vitest-environment happy-dom
import { Signal } from '@lumino/signaling';
import { act, createElement, Fragment, useLayoutEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import { useSignal } from './hooks.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const signal = new Signal<object, void>({});
let value = '';

/** What the sidebar does: read a store while rendering, follow its signal. */
function Shows() {
  useSignal(signal);
  return createElement('span', null, value);
}

/** A change committed after the render but before passive effects, where useSignal subscribes. */
function ChangesEarly() {
  useLayoutEffect(() => {
    value = 'loaded';
    signal.emit();
  }, []);
  return null;
}

const host = document.createElement('div');
const root = createRoot(host);

afterEach(() => act(() => root.render(null)));

describe('useSignal', () => {
  it('shows a change signalled between its render and its subscription (the sidebar after a reload)', async () => {
    value = 'loading';
    await act(async () => root.render(createElement(Fragment, null, createElement(Shows), createElement(ChangesEarly))));
    expect(host.textContent).toBe('loaded');
  });

  it('re-renders on every later signal', async () => {
    value = 'one';
    await act(async () => root.render(createElement(Shows)));
    expect(host.textContent).toBe('one');
    value = 'two';
    await act(async () => signal.emit());
    expect(host.textContent).toBe('two');
  });
});
