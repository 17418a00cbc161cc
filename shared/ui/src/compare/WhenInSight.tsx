/**
 * Draws its content once its place is in sight: a comparison of 100 runs has
 * ten charts of half a million points each, and the first paint should hold
 * only those on screen. What is in the viewport at layout is drawn before
 * the first paint; the rest when scrolled near, or one per frame shortly
 * after, so a scroll finds them drawn. Until then a box of the same height
 * keeps the layout (and the metric's name) in place.
 */
import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';

/** How long after the first paint the charts out of sight start to be drawn, one per frame. */
const LATER_MS = 50;
const FRAME_MS = 16;

export interface WhenInSightProps {
  /** Place among the boxes out of sight: the order they are drawn in later. */
  order: number;
  /** What stands in until the content is drawn (same height). */
  placeholder: ReactNode;
  children: () => ReactNode;
}

export function WhenInSight({ order, placeholder, children }: WhenInSightProps) {
  const box = useRef<HTMLDivElement>(null);
  const [shown, setShown] = useState(false);

  useLayoutEffect(() => {
    if (shown) return;
    const element = box.current!;
    const view = element.ownerDocument.defaultView!;
    const { top, bottom } = element.getBoundingClientRect();
    if ((top < view.innerHeight && bottom >= 0) || typeof view.IntersectionObserver !== 'function') {
      setShown(true);
      return;
    }
    const observer = new view.IntersectionObserver((entries) => entries.some((entry) => entry.isIntersecting) && setShown(true), { rootMargin: '50% 0px' });
    observer.observe(element);
    const later = view.setTimeout(() => setShown(true), LATER_MS + order * FRAME_MS);
    return () => {
      observer.disconnect();
      view.clearTimeout(later);
    };
  }, [shown, order]);

  return <div ref={box}>{shown ? children() : placeholder}</div>;
}
