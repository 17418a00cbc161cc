/**
 * The left side panel: runs, newest first; the selected run opens to its
 * steps with live states and the reason a step waits or failed; Ctrl/Shift+
 * click selects more runs to compare. A projection of the RunsModel: every
 * action is a command, run by id.
 */
import type { Run, StepRun } from '@ferry/core';
import { isFinalRunState, isFinalStepState } from '@ferry/core';
import type { CommandRegistry } from '@lumino/commands';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';
import { CommandIDs } from '../commands.js';
import { runsToCompare } from '../models/compare-selection.js';
import type { RunsModel } from '../models/runs-model.js';

export class RunsPanel extends ReactWidget {
  constructor(
    private readonly model: RunsModel,
    private readonly commands: CommandRegistry,
  ) {
    super();
    this.id = 'ferry-runs';
    this.addClass('jp-FerryRunsPanel');
    this.title.caption = 'Ferry runs';
  }

  protected render(): React.ReactElement {
    return (
      <UseSignal signal={this.model.changed}>
        {() => <RunsList model={this.model} commands={this.commands} />}
      </UseSignal>
    );
  }
}

function RunsList({ model, commands }: { model: RunsModel; commands: CommandRegistry }): React.ReactElement {
  const connection = model.connection;
  const comparing = runsToCompare(model);
  const sweep = model.selectedIds.length === 1 && comparing.length > 1;
  return (
    <div className="jp-FerryRunsPanel-body">
      <header className="jp-FerryRunsPanel-header">
        <span className="jp-FerryRunsPanel-title">Ferry runs</span>
        {comparing.length >= 2 && (
          <button
            className="jp-FerryButton jp-FerryRunsPanel-compare"
            title={sweep ? 'Compare the runs of this sweep' : 'Compare the selected runs'}
            onClick={() => void commands.execute(CommandIDs.compareRuns)}
          >
            {sweep ? `Compare sweep (${comparing.length})` : `Compare ${comparing.length} runs`}
          </button>
        )}
        <span className={`jp-FerryConnection jp-mod-${connection.state}`} title={connection.state === 'offline' ? connection.error : ''}>
          {connection.state === 'live' ? 'live' : connection.state === 'connecting' ? 'connecting…' : 'offline, retrying'}
        </span>
      </header>
      {connection.state === 'offline' && <div className="jp-FerryRunsPanel-error">{connection.error}</div>}
      {model.runs.length === 0 && connection.state === 'live' && (
        <div className="jp-FerryRunsPanel-empty">No runs yet. Open a notebook and press Run on cluster.</div>
      )}
      <ul className="jp-FerryRunList">
        {model.runs.map((run) => (
          <RunItem
            key={run.id}
            run={run}
            open={run.id === model.selectedId}
            selected={model.isSelected(run.id)}
            model={model}
            commands={commands}
          />
        ))}
      </ul>
    </div>
  );
}

/** `open`: the selected run, showing its steps; `selected`: any run of the selection. */
function RunItem(props: { run: Run; open: boolean; selected: boolean; model: RunsModel; commands: CommandRegistry }): React.ReactElement {
  const { run, open, selected, model, commands } = props;
  const exec = (id: string, args: Record<string, string>) => (event: React.MouseEvent) => {
    event.stopPropagation();
    void commands.execute(id, args);
  };
  const click = (event: React.MouseEvent) => {
    if (event.shiftKey) model.selectRange(run.id);
    else if (event.ctrlKey || event.metaKey) model.toggleSelected(run.id);
    else model.select(open ? undefined : run.id);
  };
  // As in the file browser: the context menu acts on the selection, so a right-click outside it selects the run.
  const contextMenu = () => {
    if (!selected) model.select(run.id);
  };
  return (
    <li className={`jp-FerryRun${selected ? ' jp-mod-selected' : ''}`} data-run-id={run.id} data-state={run.state} onContextMenu={contextMenu}>
      <div className="jp-FerryRun-row" onClick={click} title={run.notebookPath}>
        <span className={`jp-FerryState jp-FerryState-${run.state}`}>{run.state}</span>
        <span className="jp-FerryRun-name">{run.pipeline}</span>
        <span className="jp-FerryRun-target">{run.target}</span>
        <span className="jp-FerryRun-time" title={run.createdAt}>
          {formatTime(run.createdAt)}
        </span>
      </div>
      {open && (
        <div className="jp-FerryRun-details">
          <div className="jp-FerryRun-actions">
            {!isFinalRunState(run.state) && (
              <button className="jp-FerryButton jp-FerryRun-cancel" onClick={exec(CommandIDs.cancelRun, { runId: run.id })}>
                Cancel
              </button>
            )}
            <button className="jp-FerryButton jp-FerryRun-rerun" onClick={exec(CommandIDs.rerun, { runId: run.id })}>
              Re-run
            </button>
            <button
              className="jp-FerryButton jp-FerryRun-rerunEdited"
              title="Re-run with other parameters"
              onClick={exec(CommandIDs.rerunEdited, { runId: run.id })}
            >
              Re-run…
            </button>
            <button className="jp-FerryButton jp-FerryRun-metrics" onClick={exec(CommandIDs.openMetrics, { runId: run.id })}>
              Metrics
            </button>
          </div>
          <div className="jp-FerryRun-id">
            {run.id} · {run.mode} · {Object.entries(run.parameters).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}
          </div>
          <ul className="jp-FerryStepList">
            {run.steps.map((step) => (
              <StepItem
                key={step.name}
                step={step}
                onLog={exec(CommandIDs.openLog, { runId: run.id, step: step.name })}
                // Notebook mode keeps each step's executed notebook, outputs and plots included.
                onNotebook={
                  run.mode === 'notebook' && isFinalStepState(step.state) && step.state !== 'skipped'
                    ? exec(CommandIDs.openExecutedNotebook, { runId: run.id, step: step.name })
                    : undefined
                }
              />
            ))}
          </ul>
        </div>
      )}
    </li>
  );
}

type Click = (event: React.MouseEvent) => void;

function StepItem({ step, onLog, onNotebook }: { step: StepRun; onLog: Click; onNotebook?: Click | undefined }): React.ReactElement {
  return (
    <li className="jp-FerryStep" data-step={step.name} data-state={step.state}>
      <span className={`jp-FerryState jp-FerryState-${step.state}`}>{step.state}</span>
      <span className="jp-FerryStep-name">{step.name}</span>
      {step.jobId && <span className="jp-FerryStep-job">job {step.jobId}</span>}
      {step.exitCode !== undefined && step.exitCode !== 0 && <span className="jp-FerryStep-exit">exit {step.exitCode}</span>}
      <button className="jp-FerryButton jp-FerryStep-log" onClick={onLog} title={`Open the log of ${step.name}`}>
        Log
      </button>
      {onNotebook && (
        <button className="jp-FerryButton jp-FerryStep-notebook" onClick={onNotebook} title={`Open the executed notebook of ${step.name}`}>
          Notebook
        </button>
      )}
      {step.reason && <div className="jp-FerryStep-reason">{step.reason}</div>}
    </li>
  );
}

/** Short: the time for today's runs, the day and time for older ones. */
function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const today = new Date().toDateString() === date.toDateString();
  return today ? time : `${date.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${time}`;
}
