import { useEffect, useState } from 'react';

/*
 * The page frame's polite live region. It is in the page, empty, before anything is said: a
 * region inserted with its text already in it (an Alert appearing) is often not read out.
 * Messages go through this module rather than a context so that a frame mounting at the same
 * moment (a flow moving to its next step remounts its layout) still says the latest one.
 */
type Listener = (text: string) => void;
const listeners = new Set<Listener>();
let latest: { text: string; at: number; said: boolean } | null = null;
/** A message this recent, not yet said, is said by a region that mounts just after it. */
const RECENT_MS = 1000;
/** Lets an empty region (or one just emptied) settle before the text arrives. */
const SETTLE_MS = 100;
/** Emptied afterwards, so reading the page later does not come across stale news. */
const CLEAR_MS = 7000;

/** Says `text` politely through the page's live region. */
export function announce(text: string): void {
  latest = { text, at: Date.now(), said: false };
  listeners.forEach((listener) => listener(text));
}

/** The function to say something through the page's live region (`announce`). */
export function useAnnounce(): (text: string) => void {
  return announce;
}

/** The live region: once per page frame (AppLayout, AuthLayout). */
export function Announcer() {
  const [text, setText] = useState('');
  useEffect(() => {
    let show: ReturnType<typeof setTimeout> | undefined;
    let clear: ReturnType<typeof setTimeout> | undefined;
    const say = (message: string) => {
      clearTimeout(show);
      clearTimeout(clear);
      // Emptied first: the same message twice in a row is still a change, so it is said again.
      setText('');
      show = setTimeout(() => {
        if (latest?.text === message) latest.said = true;
        setText(message);
        clear = setTimeout(() => setText(''), CLEAR_MS);
      }, SETTLE_MS);
    };
    listeners.add(say);
    if (latest && !latest.said && Date.now() - latest.at < RECENT_MS) say(latest.text);
    return () => {
      listeners.delete(say);
      clearTimeout(show);
      clearTimeout(clear);
    };
  }, []);
  return (
    <div className="visually-hidden" aria-live="polite" aria-atomic="true" data-announcer="">
      {text}
    </div>
  );
}
