/**
 * Loads the exploration charts into a webview page as a second script,
 * `compare-explore.js` beside this bundle, on first use: the page's CSP
 * allows scripts by nonce only, so the new script carries the nonce of the
 * script that loaded this bundle (read while it runs: `currentScript` is
 * null later). Resolves with the global that bundle defines.
 */
import type { ExploreLoader, ExploreModule } from '../compare/explore/types.js';

export const EXPLORE_BUNDLE = 'compare-explore.js';
export const EXPLORE_GLOBAL = 'FerryCompareExplore';

/** Captured at bundle start. */
const loader = document.currentScript as HTMLScriptElement | null;

export function scriptExploreLoader(bundle = EXPLORE_BUNDLE, global = EXPLORE_GLOBAL): ExploreLoader {
  let loading: Promise<ExploreModule> | undefined;
  const nonce = loader?.nonce || document.querySelector<HTMLScriptElement>('script[nonce]')?.nonce || '';
  const base = loader?.src || document.baseURI;
  const loaded = () => (window as unknown as Record<string, ExploreModule | undefined>)[global];
  return () =>
    (loading ??= new Promise<ExploreModule>((resolve, reject) => {
      if (loaded()) return resolve(loaded()!);
      const script = document.createElement('script');
      script.nonce = nonce;
      script.src = new URL(bundle, base).href;
      script.dataset.ferryExplore = '';
      script.onload = () => (loaded() ? resolve(loaded()!) : reject(new Error(`${bundle} defined no ${global}`)));
      script.onerror = () => {
        loading = undefined; // a later try loads it again
        reject(new Error(`${bundle} did not load`));
      };
      document.head.appendChild(script);
    }));
}
