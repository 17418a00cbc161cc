/**
 * SSH questions from targets (a host key seen for the first time, a key's
 * passphrase, keyboard-interactive passwords and MFA codes), relayed by the
 * server to every client: this window asks them through a quick pick or a
 * password input box and answers; the first client to answer wins. Answers
 * go to the server and nowhere else; a passphrase the user asks to remember
 * is kept in VS Code's SecretStorage only.
 */
import * as vscode from 'vscode';
import type { PromptAnswer, PromptRequest } from '@ferry/core';
import { PromptQueue } from '../model/prompt-queue.js';
import type { ServerConnection } from './server-connection.js';

const RETRY_MS = 5000;

type Open = { id: string; widget: vscode.QuickInput };

export class SshPrompts implements vscode.Disposable {
  private disposed = false;
  private stream: AbortController | undefined;
  private open: Open | undefined;
  /** Keys whose remembered passphrase was tried once this session: a second ask means it was wrong. */
  private readonly triedRemembered = new Set<string>();
  /** Questions another client answered while this window showed them. */
  private readonly answeredElsewhere = new Set<string>();
  private readonly queue = new PromptQueue(
    (prompt) => void this.ask(prompt),
    (id) => {
      this.answeredElsewhere.add(id);
      if (this.open?.id === id) this.open.widget.hide();
    },
  );

  constructor(
    private readonly connection: ServerConnection,
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  start(): void {
    void this.listen();
  }

  private async listen(): Promise<void> {
    while (!this.disposed) {
      const controller = new AbortController();
      this.stream = controller;
      try {
        const client = await this.connection.client();
        this.queue.clear(); // the stream lists every pending question first
        for await (const event of client.promptEvents(controller.signal)) this.queue.apply(event);
      } catch (error) {
        if (this.disposed) return;
        this.log.debug(`prompt events: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }

  private async ask(prompt: PromptRequest): Promise<void> {
    let answer: PromptAnswer | undefined;
    try {
      answer = await this.question(prompt);
    } catch (error) {
      this.log.warn(`asking ${prompt.kind} for ${prompt.target}: ${(error as Error).message}`);
    }
    this.open = undefined;
    try {
      // No answer: closed here (Escape) declines; closed because another client answered says nothing.
      if (!this.answeredElsewhere.delete(prompt.id)) await (await this.connection.client()).answerPrompt(prompt.id, answer ?? { cancel: true });
    } catch (error) {
      // Usually: another client answered first. Never log the answer itself.
      this.log.info(`prompt ${prompt.id} for ${prompt.target}: ${(error as Error).message}`);
    }
    this.queue.done(prompt.id);
  }

  private question(prompt: PromptRequest): Promise<PromptAnswer | undefined> {
    switch (prompt.kind) {
      case 'unknown-host-key':
        return this.askHostKey(prompt);
      case 'passphrase':
        return this.askPassphrase(prompt);
      case 'keyboard-interactive':
        return this.askKeyboardInteractive(prompt);
    }
  }

  private askHostKey(prompt: Extract<PromptRequest, { kind: 'unknown-host-key' }>): Promise<PromptAnswer | undefined> {
    type Item = vscode.QuickPickItem & { accept: boolean };
    const pick = vscode.window.createQuickPick<Item>();
    const where = prompt.port === 22 ? prompt.host : `${prompt.host}:${prompt.port}`;
    pick.title = `Ferry (${prompt.target}): unknown host key of ${where}`;
    pick.placeholder = `${prompt.keyType} ${prompt.fingerprint} — trust it?`;
    pick.items = [
      { label: '$(pass) Trust this host key', detail: `${prompt.keyType} ${prompt.fingerprint}`, accept: true },
      { label: '$(circle-slash) Reject', detail: 'The connection is not made', accept: false },
    ];
    pick.ignoreFocusOut = true;
    return this.showAndWait(prompt.id, pick, (resolve) =>
      pick.onDidAccept(() => {
        const item = pick.selectedItems[0];
        if (item) resolve({ accept: item.accept });
      }),
    );
  }

  private async askPassphrase(prompt: Extract<PromptRequest, { kind: 'passphrase' }>): Promise<PromptAnswer | undefined> {
    const key = `ferry.passphrase:${prompt.keyFile}`;
    const remembered = await this.secrets.get(key);
    if (remembered !== undefined) {
      if (!this.triedRemembered.has(key)) {
        this.triedRemembered.add(key);
        return { passphrase: remembered };
      }
      await this.secrets.delete(key); // asked again: the remembered one was refused
    }
    const input = vscode.window.createInputBox();
    input.title = `Ferry (${prompt.target}): passphrase of ${prompt.keyFile}`;
    input.prompt = 'The SSH key is encrypted; its passphrase goes to the Ferry server only.';
    input.password = true;
    input.ignoreFocusOut = true;
    let remember = false;
    const rememberButton = (on: boolean): vscode.QuickInputButton => ({
      iconPath: new vscode.ThemeIcon(on ? 'pass-filled' : 'circle-large-outline'),
      tooltip: on ? 'Will be remembered in VS Code secret storage (click to not remember)' : 'Remember in VS Code secret storage',
    });
    input.buttons = [rememberButton(false)];
    const answer = await this.showAndWait<PromptAnswer>(prompt.id, input, (resolve) =>
      vscode.Disposable.from(
        input.onDidTriggerButton(() => {
          remember = !remember;
          input.buttons = [rememberButton(remember)];
        }),
        input.onDidAccept(() => resolve({ passphrase: input.value })),
      ),
    );
    if (answer && 'passphrase' in answer && remember) {
      await this.secrets.store(key, answer.passphrase);
      this.triedRemembered.delete(key);
    }
    return answer;
  }

  private async askKeyboardInteractive(prompt: Extract<PromptRequest, { kind: 'keyboard-interactive' }>): Promise<PromptAnswer | undefined> {
    const answers: string[] = [];
    for (const [index, question] of prompt.prompts.entries()) {
      const input = vscode.window.createInputBox();
      input.title = `Ferry (${prompt.target}): ${prompt.name || 'SSH login'}${prompt.prompts.length > 1 ? ` (${index + 1}/${prompt.prompts.length})` : ''}`;
      input.prompt = [prompt.instructions, question.prompt].filter(Boolean).join(' — ');
      input.password = !question.echo;
      input.ignoreFocusOut = true;
      const answer = await this.showAndWait<string>(prompt.id, input, (resolve) => input.onDidAccept(() => resolve(input.value)));
      if (answer === undefined) return undefined;
      answers.push(answer);
    }
    return { answers };
  }

  /** Shows a quick input until `wire` resolves it, or it hides (Escape: declined; answered elsewhere: nothing). */
  private showAndWait<T>(id: string, widget: vscode.QuickInput, wire: (resolve: (value: T) => void) => vscode.Disposable): Promise<T | undefined> {
    return new Promise<T | undefined>((resolve) => {
      let settled = false;
      const finish = (value: T | undefined) => {
        if (settled) return;
        settled = true;
        subscriptions.dispose();
        widget.hide();
        widget.dispose();
        resolve(value);
      };
      const subscriptions = vscode.Disposable.from(
        wire((value) => finish(value)),
        widget.onDidHide(() => finish(undefined)),
      );
      this.open = { id, widget };
      widget.show();
    });
  }

  dispose(): void {
    this.disposed = true;
    this.stream?.abort();
    this.open?.widget.dispose();
  }
}
