"""Checks what `ferry export` wrote with the platforms' own Python packages.

    python validate_export.py kfp|argo FILE.yaml FILE.json [FILE.yaml FILE.json]...

kfp: both YAML documents parsed into kfp-pipeline-spec's PipelineSpec and
PlatformSpec with protobuf's json_format.ParseDict (unknown fields and wrong
types are errors); the deployment config (a Struct in the spec) parsed into
PipelineDeploymentConfig, each executor's Kubernetes config into
kfp-kubernetes' KubernetesExecutorConfig; the file loaded by kfp's own
component loader. argo: the workflow deserialized by the Argo Workflows SDK
with type checks on, and every key it keeps as an "additional property"
(a field Argo does not have) reported. Both: the references between the
parts, and YAML that loads to the same value as the JSON.

Prints one line per pair on success; exits 1 listing every problem.
"""
import json
import re
import sys

import yaml

problems = []


def problem(where, message):
    problems.append("%s: %s" % (where, message))


def load_pair(yaml_path, json_path):
    with open(yaml_path, encoding="utf-8") as file:
        documents = list(yaml.safe_load_all(file))
    with open(json_path, encoding="utf-8") as file:
        return documents, json.load(file)


# --- Kubeflow Pipelines --------------------------------------------------------

def check_kfp(yaml_path, json_path):
    from google.protobuf import json_format
    from kfp import components
    from kfp.kubernetes import kubernetes_executor_config_pb2
    from kfp.pipeline_spec import pipeline_spec_pb2

    start = len(problems)
    documents, combined = load_pair(yaml_path, json_path)
    if len(documents) != 2:
        problem(yaml_path, "expected 2 YAML documents (PipelineSpec, PlatformSpec), found %d" % len(documents))
        return
    spec, platform = documents
    if combined != {"pipeline_spec": spec, "platform_spec": platform}:
        problem(json_path, "the JSON is not {pipeline_spec, platform_spec} of the YAML documents")

    def parse(value, message, where):
        try:
            return json_format.ParseDict(value, message)
        except json_format.ParseError as error:
            problem(where, str(error))

    parse(spec, pipeline_spec_pb2.PipelineSpec(), "PipelineSpec")
    parse(platform, pipeline_spec_pb2.PlatformSpec(), "PlatformSpec")
    parse(spec.get("deploymentSpec", {}), pipeline_spec_pb2.PipelineDeploymentConfig(), "deploymentSpec")
    kubernetes = platform.get("platforms", {}).get("kubernetes", {}).get("deploymentSpec", {}).get("executors", {})
    for label, config in kubernetes.items():
        parse(config, kubernetes_executor_config_pb2.KubernetesExecutorConfig(), "platforms.kubernetes executor %s" % label)
    if len(problems) > start:
        return

    executors = spec["deploymentSpec"]["executors"]
    inputs = spec["root"].get("inputDefinitions", {}).get("parameters", {})
    tasks = spec["root"]["dag"]["tasks"]
    for name, task in tasks.items():
        where = "root.dag.tasks.%s" % name
        component = spec["components"].get(task["componentRef"]["name"])
        if component is None:
            problem(where, "refers to the missing component %s" % task["componentRef"]["name"])
            continue
        if component["executorLabel"] not in executors:
            problem(where, "its component's executor %s is missing" % component["executorLabel"])
        if component["executorLabel"] not in kubernetes:
            problem(where, "its executor has no Kubernetes config (the volume)")
        for upstream in task.get("dependentTasks", []):
            if upstream not in tasks:
                problem(where, "depends on the missing task %s" % upstream)
        declared = component.get("inputDefinitions", {}).get("parameters", {})
        given = task.get("inputs", {}).get("parameters", {})
        if set(declared) != set(given):
            problem(where, "passes %s to a component that takes %s" % (sorted(given), sorted(declared)))
        for parameter, source in given.items():
            if source.get("componentInputParameter") not in inputs:
                problem(where, "input %s comes from no pipeline input" % parameter)
            elif inputs[source["componentInputParameter"]]["parameterType"] != declared.get(parameter, {}).get("parameterType"):
                problem(where, "input %s changes type" % parameter)
        container = executors[component["executorLabel"]]["container"]
        for word in container["command"] + container.get("args", []):
            for placeholder in re.findall(r"\{\{\$\.inputs\.parameters\['([^']*)'\]\}\}", word):
                if placeholder not in declared:
                    problem(where, "uses the undeclared input %s" % placeholder)
            for other in re.findall(r"\{\{\$\.([a-z_]+)", word):
                if other not in ("inputs", "pipeline_job_uuid"):
                    problem(where, "uses an unexpected placeholder {{$.%s...}}" % other)
    if len(problems) == start:
        # The SDK's own reader of compiled pipelines (both documents).
        with open(yaml_path, encoding="utf-8") as file:
            try:
                components.load_component_from_text(file.read())
            except Exception as error:  # noqa: BLE001 - any refusal is the finding
                problem(yaml_path, "kfp cannot load it: %s: %s" % (type(error).__name__, error))


# --- Argo Workflows ---------------------------------------------------------------

ARGO_NAME = re.compile(r"^[a-zA-Z0-9][-a-zA-Z0-9]*$")


def check_argo(yaml_path, json_path):
    from argo_workflows import model_utils
    from argo_workflows.configuration import Configuration
    from argo_workflows.model.io_argoproj_workflow_v1alpha1_workflow import IoArgoprojWorkflowV1alpha1Workflow

    start = len(problems)
    documents, workflow = load_pair(yaml_path, json_path)
    if documents != [workflow]:
        problem(yaml_path, "the YAML does not load to the JSON document")
    try:
        model = model_utils.validate_and_convert_types(
            json.loads(json.dumps(workflow)),  # a copy: the SDK converts in place
            (IoArgoprojWorkflowV1alpha1Workflow,), ["workflow"], True, True, Configuration())
    except Exception as error:  # noqa: BLE001 - the SDK's type errors are the finding
        problem("workflow", "%s: %s" % (type(error).__name__, error))
        return
    unknown_fields(model, "workflow")
    if len(problems) > start:
        return

    spec = workflow["spec"]
    templates = {template["name"]: template for template in spec["templates"]}
    parameters = {parameter["name"]: parameter for parameter in spec.get("arguments", {}).get("parameters", [])}
    volumes = {volume["name"] for volume in spec.get("volumes", [])}
    if spec["entrypoint"] not in templates:
        problem("spec.entrypoint", "names no template")
    for name, parameter in parameters.items():
        if "enum" in parameter and parameter["value"] not in parameter["enum"]:
            problem("parameter %s" % name, "its value is not in its enum")
    for name, template in templates.items():
        if not ARGO_NAME.match(name) or len(name) > 63:
            problem("template %s" % name, "is not a valid Argo template name")
        for task in template.get("dag", {}).get("tasks", []):
            where = "template %s, task %s" % (name, task["name"])
            if not ARGO_NAME.match(task["name"]):
                problem(where, "is not a valid Argo task name")
            if task["template"] not in templates:
                problem(where, "refers to the missing template %s" % task["template"])
            known = {other["name"] for other in template["dag"]["tasks"]}
            for upstream in task.get("dependencies", []):
                if upstream not in known:
                    problem(where, "depends on the missing task %s" % upstream)
        container = template.get("container")
        if container:
            for mount in container.get("volumeMounts", []):
                if mount["name"] not in volumes:
                    problem("template %s" % name, "mounts the missing volume %s" % mount["name"])
            for word in container["command"] + container.get("args", []):
                for reference in re.findall(r"\{\{([^}]*)\}\}", word):
                    if reference.startswith("workflow.parameters."):
                        if reference[len("workflow.parameters."):] not in parameters:
                            problem("template %s" % name, "uses the undeclared parameter %s" % reference)
                    elif reference != "workflow.uid":
                        problem("template %s" % name, "uses an unexpected expression {{%s}}" % reference)


def unknown_fields(value, path):
    """Keys the SDK kept only as additional properties: fields Argo's types do not have."""
    from argo_workflows.model_utils import OpenApiModel

    if isinstance(value, OpenApiModel):
        for key, item in value._data_store.items():
            if key not in value.openapi_types:
                problem(path, "unknown field %r" % key)
            unknown_fields(item, "%s.%s" % (path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            unknown_fields(item, "%s[%d]" % (path, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            unknown_fields(item, "%s.%s" % (path, key))


def main(argv):
    if len(argv) < 3 or len(argv) % 2 != 1 or argv[0] not in ("kfp", "argo"):
        sys.stderr.write("usage: validate_export.py kfp|argo FILE.yaml FILE.json [FILE.yaml FILE.json]...\n")
        return 2
    check = check_kfp if argv[0] == "kfp" else check_argo
    for yaml_path, json_path in zip(argv[1::2], argv[2::2]):
        before = len(problems)
        check(yaml_path, json_path)
        if len(problems) == before:
            print("valid %s: %s, %s" % (argv[0], yaml_path, json_path))
    if problems:
        sys.stderr.write("".join("%s\n" % line for line in problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
