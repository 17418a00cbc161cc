/**
 * Each target's last health check (`ferry targets test`), remembered across
 * sessions so the target quick pick and the sidebar can show it without
 * running the (slow, remote) checks again.
 */
import * as vscode from 'vscode';
import type { FerryClient, TargetTestResponse } from '@ferry/core';
import type { RunTreeModel, TargetCheckRecord } from '../model/run-tree.js';

const KEY = 'ferry.targetChecks';

export class TargetChecks {
  constructor(
    private readonly memento: vscode.Memento,
    private readonly model: RunTreeModel,
  ) {
    for (const [target, record] of Object.entries(this.all())) model.setCheck(target, record);
  }

  get(target: string): TargetCheckRecord | undefined {
    return this.all()[target];
  }

  async run(client: FerryClient, target: string): Promise<TargetCheckRecord> {
    const result = await client.testTarget(target);
    const record = summarize(result);
    await this.memento.update(KEY, { ...this.all(), [target]: record });
    this.model.setCheck(target, record);
    return record;
  }

  private all(): Record<string, TargetCheckRecord> {
    return this.memento.get<Record<string, TargetCheckRecord>>(KEY, {});
  }
}

export function summarize(result: TargetTestResponse, now = new Date()): TargetCheckRecord {
  const failed = result.checks.find((check) => !check.ok && !check.optional);
  const summary = failed
    ? `${failed.name}: ${failed.detail}${failed.fix ? ` — ${failed.fix}` : ''}`
    : `all ${result.checks.length} checks passed`;
  return { ok: result.ok, at: now.toISOString(), summary };
}
