/** @ferry/core/node: the parts that need Node (files, processes, SQLite). */
export {};
