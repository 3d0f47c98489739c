import type { ISignal } from '@lumino/signaling';
import { useEffect, useReducer, useState } from 'react';

/** Re-render whenever the signal fires. */
export function useSignal<T>(signal: ISignal<T, unknown>): void {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    const slot = () => bump();
    signal.connect(slot);
    // effects run after the render, and the page may connect and load in between (a reload
    // restoring a busy layout): render once more, or that change never shows
    bump();
    return () => {
      signal.disconnect(slot);
    };
  }, [signal]);
}

/** The clock, ticking each second while `running` (a running training's duration), else still. */
export function useNow(running: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [running]);
  return running ? now : Date.now();
}
