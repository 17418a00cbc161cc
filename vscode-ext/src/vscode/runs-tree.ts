/** The sidebar tree (targets → runs → steps): VS Code's side of the run tree model. */
import * as vscode from 'vscode';
import type { RunTreeModel, TreeNode } from '../model/run-tree.js';

const REFRESH_DELAY_MS = 50;

export class RunsTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly model: RunTreeModel) {}

  /** Coalesces bursts of run events (a DAG starting many steps) into one redraw. */
  refresh(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.changed.fire(undefined);
    }, REFRESH_DELAY_MS);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const view = this.model.view(node);
    const collapsible = {
      none: vscode.TreeItemCollapsibleState.None,
      collapsed: vscode.TreeItemCollapsibleState.Collapsed,
      expanded: vscode.TreeItemCollapsibleState.Expanded,
    }[view.collapsible];
    const item = new vscode.TreeItem(view.label, collapsible);
    item.id = node.id;
    item.description = view.description;
    item.tooltip = view.tooltip;
    item.contextValue = view.contextValue;
    item.iconPath = new vscode.ThemeIcon(view.icon, view.color ? new vscode.ThemeColor(view.color) : undefined);
    item.accessibilityInformation = { label: [view.label, view.description].filter(Boolean).join(', ') };
    if (node.kind === 'step') item.command = { command: 'ferry.openLog', title: 'Open Log', arguments: [node] };
    if (node.kind === 'problem') item.command = { command: 'ferry.refresh', title: 'Retry' };
    return item;
  }

  getChildren(node?: TreeNode): TreeNode[] {
    return node ? this.model.children(node) : this.model.roots();
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return this.model.parent(node);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.changed.dispose();
  }
}
