/**
 * One connection to the per-user Ferry server for the whole extension. It
 * uses the server that is running, or starts one with `ferry server start`
 * (the CLI's own launcher) and then reads the discovery file it left.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { FerryClient } from '@ferry/core';
import { cliCommand, discoveryFile, liveClient } from '../model/server-discovery.js';

const START_TIMEOUT_MS = 30_000;

export class ServerConnection {
  private pending: Promise<FerryClient> | undefined;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** The connected client; connects (and starts the server) on first use or after a failure. */
  client(): Promise<FerryClient> {
    this.pending ??= this.connect().catch((error: unknown) => {
      this.pending = undefined;
      throw error;
    });
    return this.pending;
  }

  /** Forget the client, e.g. after the server went away; the next call reconnects. */
  reset(): void {
    this.pending = undefined;
  }

  private async connect(): Promise<FerryClient> {
    const file = discoveryFile(process.env);
    const running = await liveClient(file);
    if (running) return running;
    await this.startServer();
    const started = await liveClient(file);
    if (!started) throw new Error(`the Ferry server started but ${file} does not describe a live server`);
    return started;
  }

  private async startServer(): Promise<void> {
    const configured = vscode.workspace.getConfiguration('ferry').get<string>('cliPath', '');
    const bins = (vscode.workspace.workspaceFolders ?? [])
      .map((folder) => join(folder.uri.fsPath, 'node_modules', '.bin', 'ferry'))
      .filter((path) => existsSync(path));
    // In desktop VS Code the extension host is Electron; this makes it run scripts as plain Node.
    const env = process.versions.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env;
    const command = cliCommand(configured, bins, process.execPath);
    this.log.info(`starting the Ferry server: ${[command.file, ...command.args, 'server', 'start'].join(' ')}`);
    await new Promise<void>((resolve, reject) => {
      execFile(
        command.file,
        [...command.args, 'server', 'start', '--json'],
        { env, timeout: START_TIMEOUT_MS },
        (error, _stdout, stderr) => {
          if (!error) return resolve();
          const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
          reject(
            new Error(
              missing
                ? `cannot start the Ferry server: '${command.file}' was not found; install the ferry CLI or set ferry.cliPath`
                : `cannot start the Ferry server: ${stderr.trim() || error.message}`,
            ),
          );
        },
      );
    });
  }
}
