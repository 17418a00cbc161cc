/**
 * Answers a target's questions (SSH passwords and MFA codes, new host keys,
 * key passphrases) at the terminal while a command waits on the server.
 */
import { createInterface } from 'node:readline/promises';
import type { FerryClient, PromptAnswer, PromptRequest } from '@ferry/core';

/** Listens until `signal` aborts; each prompt is asked once, in order. */
export async function answerPromptsAtTerminal(client: FerryClient, signal: AbortSignal): Promise<void> {
  const settled = new Set<string>();
  let queue = Promise.resolve();
  try {
    for await (const event of client.promptEvents(signal)) {
      if (event.type === 'settled') {
        settled.add(event.id);
        continue;
      }
      const prompt = event.prompt;
      queue = queue.then(async () => {
        if (settled.has(prompt.id) || signal.aborted) return;
        const answer = process.stdin.isTTY ? await ask(prompt) : undefined;
        if (!answer) {
          process.stderr.write(`ferry: target "${prompt.target}" is waiting for an answer (${prompt.kind}); run this command in a terminal or answer it in an IDE\n`);
          return;
        }
        await client.answerPrompt(prompt.id, answer).catch(() => undefined); // another client may have answered first
      });
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}

async function ask(prompt: PromptRequest): Promise<PromptAnswer> {
  switch (prompt.kind) {
    case 'unknown-host-key': {
      process.stderr.write(
        `The authenticity of host ${prompt.host}:${prompt.port} (target "${prompt.target}") can't be established.\n` +
          `${prompt.keyType} key fingerprint is ${prompt.fingerprint}.\n`,
      );
      const reply = await line('Trust it and remember it in known_hosts (yes/no)? ', true);
      return { accept: reply.trim().toLowerCase() === 'yes' };
    }
    case 'passphrase':
      return { passphrase: await line(`Passphrase for ${prompt.keyFile}: `, false) };
    case 'keyboard-interactive': {
      if (prompt.instructions) process.stderr.write(`${prompt.instructions}\n`);
      const answers: string[] = [];
      for (const question of prompt.prompts) answers.push(await line(question.prompt, question.echo));
      return { answers };
    }
  }
}

/** Reads one line from the terminal; hides what is typed when `echo` is false. */
async function line(question: string, echo: boolean): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  if (!echo) {
    // readline echoes through _writeToOutput; print the question, then nothing of the answer.
    const output = rl as unknown as { _writeToOutput(text: string): void };
    let asked = false;
    output._writeToOutput = (text: string) => {
      if (!asked) {
        process.stderr.write(text);
        asked = true;
      }
    };
  }
  try {
    return await rl.question(question);
  } finally {
    rl.close();
    if (!echo) process.stderr.write('\n');
  }
}
