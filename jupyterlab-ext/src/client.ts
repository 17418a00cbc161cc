/** The browser's FerryClient: every request goes to the Jupyter server's `/ferry/api` with Jupyter's auth. */
import { FerryClient } from '@ferry/core';
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

export function createJupyterFerryClient(settings: ServerConnection.ISettings = ServerConnection.makeSettings()): FerryClient {
  return new FerryClient({
    baseUrl: URLExt.join(settings.baseUrl, 'ferry'),
    // No Ferry token here: the server extension adds it; this request carries Jupyter's XSRF/token headers.
    fetch: (input, init) => ServerConnection.makeRequest(String(input), init ?? {}, settings),
  });
}
