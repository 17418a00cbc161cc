/**
 * The sidebar's model: targets → runs → steps, kept current from the server's
 * run events. Pure data in, view descriptions out; the VS Code tree provider
 * only maps these to TreeItems.
 */
import { isFinalRunState, sweepCounts, sweepState, type Run, type StepRun, type StepState, type TargetInfo } from '@ferry/core';

export type NodeId = string;

export type TreeNode =
  | { kind: 'target'; id: NodeId; target: string }
  | { kind: 'sweep'; id: NodeId; sweepId: string; target: string }
  | { kind: 'run'; id: NodeId; runId: string }
  | { kind: 'step'; id: NodeId; runId: string; step: string }
  | { kind: 'reason'; id: NodeId; runId: string; step: string }
  | { kind: 'problem'; id: NodeId; message: string };

/** How a node looks: icon names are codicons (`~spin` animates). */
export interface NodeView {
  label: string;
  description?: string;
  tooltip?: string;
  icon: string;
  /** A theme colour id for the icon. */
  color?: string;
  /** Drives which context actions apply (see package.json menus). */
  contextValue: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
}

/** The result of a target's last health check, as the sidebar and quick pick show it. */
export interface TargetCheckRecord {
  ok: boolean;
  /** ISO time. */
  at: string;
  /** The first failed check, or a short "all checks passed". */
  summary: string;
}

const STEP_ICONS: Record<StepState, { icon: string; color?: string }> = {
  waiting: { icon: 'clock' },
  queued: { icon: 'history' },
  running: { icon: 'sync~spin', color: 'charts.blue' },
  succeeded: { icon: 'pass', color: 'testing.iconPassed' },
  failed: { icon: 'error', color: 'testing.iconFailed' },
  cancelled: { icon: 'circle-slash', color: 'disabledForeground' },
  skipped: { icon: 'debug-step-over', color: 'disabledForeground' },
};

/** Runs (a sweep counts as one) shown per target; older ones stay available from the CLI. */
export const RUNS_PER_TARGET = 25;

export class RunTreeModel {
  private targets: TargetInfo[] = [];
  private readonly runs = new Map<string, Run>();
  private readonly checks = new Map<string, TargetCheckRecord>();
  private problem: string | undefined;

  setTargets(targets: readonly TargetInfo[]): void {
    this.targets = [...targets];
  }

  /** Replaces every run (after a (re)connect, when events may have been missed). */
  setRuns(runs: readonly Run[]): void {
    this.runs.clear();
    for (const run of runs) this.runs.set(run.id, run);
  }

  /** Applies one run-changed event; returns the run's node id so the view refreshes just that run. */
  applyRun(run: Run): NodeId {
    this.runs.set(run.id, run);
    return runNodeId(run.id);
  }

  setCheck(target: string, record: TargetCheckRecord): void {
    this.checks.set(target, record);
  }

  check(target: string): TargetCheckRecord | undefined {
    return this.checks.get(target);
  }

  /** A problem shown as the tree's only item (e.g. the server cannot be reached); undefined clears it. */
  setProblem(message: string | undefined): void {
    this.problem = message;
  }

  run(id: string): Run | undefined {
    return this.runs.get(id);
  }

  roots(): TreeNode[] {
    if (this.problem !== undefined) return [{ kind: 'problem', id: 'problem', message: this.problem }];
    const names = this.targets.map((target) => target.name);
    // Runs on targets no longer configured still show, under their target's name.
    for (const run of this.runs.values()) if (!names.includes(run.target)) names.push(run.target);
    return names.map((target) => ({ kind: 'target', id: targetNodeId(target), target }));
  }

  children(node: TreeNode): TreeNode[] {
    switch (node.kind) {
      case 'target':
        return this.entriesOf(node.target).map((entry) =>
          entry.sweepId !== undefined
            ? { kind: 'sweep', id: sweepNodeId(entry.sweepId), sweepId: entry.sweepId, target: node.target }
            : { kind: 'run', id: runNodeId(entry.run.id), runId: entry.run.id },
        );
      case 'sweep':
        return this.pointsOf(node.sweepId).map((run) => ({ kind: 'run', id: runNodeId(run.id), runId: run.id }));
      case 'run':
        return (this.runs.get(node.runId)?.steps ?? []).map((step) => ({
          kind: 'step',
          id: stepNodeId(node.runId, step.name),
          runId: node.runId,
          step: step.name,
        }));
      case 'step': {
        const step = this.stepOf(node.runId, node.step);
        return step?.state === 'failed' && step.reason
          ? [{ kind: 'reason', id: `${node.id}/reason`, runId: node.runId, step: node.step }]
          : [];
      }
      default:
        return [];
    }
  }

  parent(node: TreeNode): TreeNode | undefined {
    switch (node.kind) {
      case 'run': {
        const run = this.runs.get(node.runId);
        if (run?.sweepId !== undefined) return { kind: 'sweep', id: sweepNodeId(run.sweepId), sweepId: run.sweepId, target: run.target };
        return run && { kind: 'target', id: targetNodeId(run.target), target: run.target };
      }
      case 'sweep':
        return { kind: 'target', id: targetNodeId(node.target), target: node.target };
      case 'step':
        return { kind: 'run', id: runNodeId(node.runId), runId: node.runId };
      case 'reason':
        return { kind: 'step', id: stepNodeId(node.runId, node.step), runId: node.runId, step: node.step };
      default:
        return undefined;
    }
  }

  /** Newest first. */
  runsOf(target: string): Run[] {
    return [...this.runs.values()].filter((run) => run.target === target).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** What a target shows: its runs of their own and its sweeps (each where its newest point falls), newest first. */
  private entriesOf(target: string): Array<{ run: Run; sweepId?: string }> {
    const entries: Array<{ run: Run; sweepId?: string }> = [];
    const sweeps = new Set<string>();
    for (const run of this.runsOf(target)) {
      if (run.sweepId === undefined) entries.push({ run });
      else if (!sweeps.has(run.sweepId)) {
        sweeps.add(run.sweepId);
        entries.push({ run, sweepId: run.sweepId });
      }
    }
    return entries.slice(0, RUNS_PER_TARGET);
  }

  /** Every run the sidebar knows, newest first. */
  allRuns(): Run[] {
    return [...this.runs.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** A sweep's points, in index order. */
  pointsOf(sweepId: string): Run[] {
    return [...this.runs.values()].filter((run) => run.sweepId === sweepId).sort((a, b) => (a.sweepIndex ?? 0) - (b.sweepIndex ?? 0));
  }

  view(node: TreeNode, now = new Date()): NodeView {
    switch (node.kind) {
      case 'problem':
        return { label: node.message, icon: 'warning', color: 'problemsWarningIcon.foreground', contextValue: 'problem', collapsible: 'none', tooltip: node.message };
      case 'target':
        return this.targetView(node.target, now);
      case 'sweep':
        return this.sweepView(node.sweepId, now);
      case 'run':
        return this.runView(node.runId, now);
      case 'step':
        return this.stepView(node.runId, node.step);
      case 'reason': {
        const reason = this.stepOf(node.runId, node.step)?.reason ?? '';
        return { label: reason, tooltip: reason, icon: 'info', contextValue: 'reason', collapsible: 'none' };
      }
    }
  }

  private targetView(name: string, now: Date): NodeView {
    const target = this.targets.find((candidate) => candidate.name === name);
    const check = this.checks.get(name);
    const active = this.runsOf(name).filter((run) => !isFinalRunState(run.state)).length;
    const parts = [target ? target.type : 'no longer configured'];
    if (active) parts.push(`${active} active`);
    if (check) parts.push(`${check.ok ? 'healthy' : 'check failed'} ${timeAgo(check.at, now)}`);
    return {
      label: name,
      description: parts.join(' · '),
      tooltip: [target?.description, check && `Last check: ${check.summary}`].filter(Boolean).join('\n'),
      icon: target?.type === 'local' ? 'vm' : 'server',
      color: check && !check.ok ? 'problemsWarningIcon.foreground' : undefined,
      contextValue: target ? 'target' : 'target:gone',
      collapsible: 'expanded',
    };
  }

  private sweepView(id: string, now: Date): NodeView {
    const points = this.pointsOf(id);
    const first = points[0];
    if (!first) return { label: id, icon: 'question', contextValue: 'sweep:gone', collapsible: 'none' };
    const state = sweepState(points);
    const icon = STEP_ICONS[state];
    const counts = Object.entries(sweepCounts(points)).map(([name, count]) => `${count} ${name}`);
    const swept = sweptNames(points);
    return {
      label: `${first.pipeline} sweep ${shortSweepId(id)}`,
      description: `${state} · ${points.length} runs${swept.length ? ` over ${swept.join(', ')}` : ''} · ${timeAgo(first.createdAt, now)}`,
      tooltip: [`sweep ${id} on ${first.target}`, counts.join(', ')].join('\n'),
      icon: icon.icon,
      color: icon.color,
      contextValue: isFinalRunState(state) ? 'sweep:final' : 'sweep:active',
      collapsible: isFinalRunState(state) ? 'collapsed' : 'expanded',
    };
  }

  private runView(id: string, now: Date): NodeView {
    const run = this.runs.get(id);
    if (!run) return { label: id, icon: 'question', contextValue: 'run:gone', collapsible: 'none' };
    const done = run.steps.filter((step) => step.state === 'succeeded').length;
    const icon = run.state === 'queued' ? STEP_ICONS.queued : STEP_ICONS[run.state];
    const parameters = Object.entries(run.parameters).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
    // A sweep's point is told apart by the values it sweeps.
    const swept = run.sweepId === undefined ? [] : sweptNames(this.pointsOf(run.sweepId));
    const point = swept.map((name) => `${name}=${JSON.stringify(run.parameters[name])}`).join(' ');
    return {
      label: `${run.pipeline} ${shortId(run.id)}${point ? ` ${point}` : ''}`,
      description: `${run.state} · ${done}/${run.steps.length} steps · ${timeAgo(run.createdAt, now)}`,
      tooltip: [`${run.pipeline} on ${run.target} (${run.mode} mode)`, `run ${run.id}`, ...parameters].join('\n'),
      icon: icon.icon,
      color: icon.color,
      contextValue: isFinalRunState(run.state) ? 'run:final' : 'run:active',
      collapsible: isFinalRunState(run.state) && run.state === 'succeeded' ? 'collapsed' : 'expanded',
    };
  }

  private stepView(runId: string, name: string): NodeView {
    const step = this.stepOf(runId, name);
    if (!step) return { label: name, icon: 'question', contextValue: 'step:gone', collapsible: 'none' };
    const { icon, color } = STEP_ICONS[step.state];
    return {
      label: name,
      description: describeStep(step),
      tooltip: [
        `${name}: ${step.state}`,
        step.reason,
        step.jobId && `job ${step.jobId}`,
        step.exitCode !== undefined && `exit code ${step.exitCode}`,
      ].filter(Boolean).join('\n'),
      icon,
      color,
      // `step[:notebook][:job]`: what the step's context menu offers (package.json menus).
      contextValue: ['step', this.runs.get(runId)?.mode === 'notebook' ? 'notebook' : '', step.jobId ? 'job' : ''].filter(Boolean).join(':'),
      collapsible: step.state === 'failed' && step.reason ? 'expanded' : 'none',
    };
  }

  private stepOf(runId: string, name: string): StepRun | undefined {
    return this.runs.get(runId)?.steps.find((step) => step.name === name);
  }
}

/** The state, with why a step waits (a pending reason) or how it ended. */
export function describeStep(step: StepRun): string {
  const parts: string[] = [step.state];
  if ((step.state === 'waiting' || step.state === 'queued') && step.reason) parts.push(step.reason);
  if (step.state === 'failed') parts.push(step.exitCode !== undefined ? `exit ${step.exitCode}` : (step.reason ?? ''));
  if (step.state === 'skipped' && step.reason) parts.push(step.reason);
  return parts.filter(Boolean).join(' — ');
}

export function targetNodeId(target: string): NodeId {
  return `target/${target}`;
}

export function runNodeId(runId: string): NodeId {
  return `run/${runId}`;
}

export function sweepNodeId(sweepId: string): NodeId {
  return `sweep/${sweepId}`;
}

/** The parameters whose values differ between a sweep's points. */
function sweptNames(points: readonly Run[]): string[] {
  const first = points[0];
  if (!first) return [];
  return Object.keys(first.parameters).filter((name) =>
    points.some((point) => JSON.stringify(point.parameters[name]) !== JSON.stringify(first.parameters[name])),
  );
}

/** `s-20261202-013000-ab12cd` → `ab12cd`. */
export function shortSweepId(id: string): string {
  return id.split('-').at(-1) ?? id;
}

export function stepNodeId(runId: string, step: string): NodeId {
  return `run/${runId}/step/${step}`;
}

/** Enough of a run id to tell runs apart at a glance. */
export function shortId(id: string): string {
  // Ids made by the store (`r-20261202-013000-ab12cd`) differ in their random end; others in their start.
  const stamped = /^r-\d{8}-\d{6}-([0-9a-f]+)$/.exec(id);
  return stamped ? stamped[1]! : id.replace(/^r-/, '').slice(0, 8);
}

export function timeAgo(iso: string, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}
