/**
 * The stage task of an exported pipeline: the first pod of every run writes
 * the run directory (docs/run-directory.md) onto the shared volume, as the
 * local and Slurm targets stage it, so the step pods need nothing but the
 * image and the volume: no object storage, no network.
 *
 * It runs STAGE_PROGRAM, fixed Python source given to `python3 -c`; every
 * value (files, parameter values, the run directory) arrives as one argv
 * word of its own. File contents travel base64-encoded: that keeps `{{`
 * in a notebook's code away from the template engines of Argo and KFP,
 * and splitting them into chunks keeps each word under Linux's 128 KiB
 * limit for one argument.
 */
import { FerryError } from '../errors.js';
import type { ParamType } from '../spec.js';

/** A file of the run directory, by its name there. */
export interface ExportedFile {
  name: string;
  text: string;
}

/** A parameter as the stage task receives it: the platform fills in `value` (a placeholder) as text. */
export interface StagedParameter {
  name: string;
  type: ParamType;
  value: string;
}

const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;
/** Base64 characters per argv word, well under the kernel's 131072 bytes for one argument. */
const CHUNK = 96 * 1024;

/** The argv words after `python3 -c STAGE_PROGRAM`. */
export function stageArgs(runDir: string, files: readonly ExportedFile[], parameters: readonly StagedParameter[]): string[] {
  const args = [runDir];
  for (const file of files) {
    if (!FILE_NAME.test(file.name)) throw new FerryError('internal', `cannot stage a file named "${file.name}"`);
    const encoded = base64(file.text);
    // An empty file still gets one (empty) chunk, so it is written.
    for (let at = 0; at === 0 || at < encoded.length; at += CHUNK) args.push('--file', file.name, encoded.slice(at, at + CHUNK));
  }
  for (const parameter of parameters) args.push('--param', parameter.name, parameter.type, parameter.value);
  return args;
}

/** Base64 of the text's UTF-8 bytes, without Node's Buffer (this module also runs in browsers). */
function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(binary);
}

/**
 * Parameter text is read the way `ferry run -p NAME=VALUE` reads it
 * (shared/core/src/parameters/parameter-values.ts), except that lists and
 * dicts are JSON only and an int may be written `20.0`. KFP renders typed values as such text (`10`, `0.5`,
 * `true`, JSON); on Argo a person may type them. Bad text exits 2, naming
 * the parameter, before any step runs.
 */
export const STAGE_PROGRAM = `# Ferry: writes the run directory the step runtime reads, from this process's
# arguments: RUN_DIR, then --file NAME BASE64 (repeated: chunks of one file)
# and --param NAME TYPE TEXT. All values arrive as arguments, none in this code.
import base64, json, math, os, re, sys

FILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
WORDS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def fail(message):
    sys.stderr.write("ferry: %s\\n" % message)
    sys.exit(2)


def refuse_constant(name):
    raise ValueError(name)


def structured(text):
    try:
        return json.loads(text, parse_constant=refuse_constant)
    except ValueError:
        return None


def decode(name, kind, text):
    if kind == "str":
        return text
    if kind == "None":
        if text in ("None", "null"):
            return None
        value = structured(text)
        return text if value is None else value
    if kind == "int":
        # KFP keeps numbers as doubles; a renderer may write 20 as 20.0.
        whole = re.fullmatch(r"([+-]?[0-9]+)(?:\\.0*)?", text.strip().replace("_", ""))
        if whole:
            return int(whole.group(1))
    elif kind == "float":
        digits = text.strip().replace("_", "")
        if re.fullmatch(r"[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?", digits) and math.isfinite(float(digits)):
            return float(digits)
    elif kind == "bool":
        word = text.strip().lower()
        if word in WORDS:
            return WORDS[word]
    elif kind in ("list", "dict"):
        value = structured(text)
        if isinstance(value, list if kind == "list" else dict):
            return value
    else:
        fail("parameter %s has the unknown type %r" % (name, kind))
    shown = text if len(text) <= 80 else text[:77] + "..."
    fail("parameter %s expects %s, got %r" % (name, "JSON " + kind if kind in ("list", "dict") else kind, shown))


def write(path, data):
    temporary = path + ".tmp"
    with open(temporary, "wb") as file:
        file.write(data)
    os.replace(temporary, path)


def main(args):
    if not args:
        fail("usage: python3 -c PROGRAM RUN_DIR [--file NAME BASE64]... [--param NAME TYPE TEXT]...")
    run_dir, rest = args[0], args[1:]
    chunks, parameters = {}, {}
    at = 0
    while at < len(rest):
        if rest[at] == "--file" and at + 2 < len(rest):
            name = rest[at + 1]
            if not FILE_NAME.fullmatch(name):
                fail("refusing to stage a file named %r" % name)
            chunks.setdefault(name, []).append(rest[at + 2])
            at += 3
        elif rest[at] == "--param" and at + 3 < len(rest):
            parameters[rest[at + 1]] = decode(rest[at + 1], rest[at + 2], rest[at + 3])
            at += 4
        else:
            fail("unexpected argument %r" % rest[at])
    os.makedirs(run_dir, exist_ok=True)
    for name, parts in chunks.items():
        write(os.path.join(run_dir, name), base64.b64decode("".join(parts), validate=True))
    text = json.dumps(parameters, indent=2, allow_nan=False) + "\\n"
    write(os.path.join(run_dir, "params.json"), text.encode("utf-8"))
    print("ferry: staged %s: %d files, %d parameters" % (run_dir, len(chunks), len(parameters)))


main(sys.argv[1:])
`;
