"""The deployment files, checked offline: Dockerfile (as text) and deploy/k8s/.

Every Kubernetes object under deploy/k8s/ is validated against the OpenAPI schemas of
Kubernetes 1.30 that the `kubernetes-validate` package ships (strict mode: unknown fields
are errors too), so a typo or an API version the cluster no longer serves fails here,
not at `kubectl apply`. The rest checks that the pieces fit together: probes, ports,
names, the non-root user and the CHATBOT_* settings.
"""

from __future__ import annotations

import dataclasses
import json
import shlex
import tomllib
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from retrieval.settings import ENV_PREFIX, Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
K8S_DIR = ROOT / "deploy" / "k8s"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
KUBERNETES_VERSION = "1.30"
APP_PORT = 7860
APP_UID = 10001

# Settings being added by another change (answer workers, queue limit before 503, proxies
# whose X-Forwarded-For is trusted). The manifests use them already; they are allowed here
# until they exist in retrieval.settings.Settings. Remove each name once it has landed.
PENDING_SETTINGS = frozenset({"CHATBOT_WORKERS", "CHATBOT_QUEUE_LIMIT", "CHATBOT_TRUSTED_PROXIES"})
SETTING_NAMES = frozenset(f"{ENV_PREFIX}{field.name.upper()}" for field in dataclasses.fields(Settings))


# -- loading -------------------------------------------------------------------------------
def is_kustomization(doc: dict[str, Any]) -> bool:
    return doc.get("kind") == "Kustomization" and str(doc.get("apiVersion", "")).startswith("kustomize.config.k8s.io/")


def load_documents() -> list[tuple[str, dict[str, Any]]]:
    """(file name, document) for every non-empty YAML document under deploy/k8s/."""
    docs = []
    for path in sorted([*K8S_DIR.glob("*.yaml"), *K8S_DIR.glob("*.yml")]):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc:
                assert isinstance(doc, dict), f"{path.name}: a YAML document that is not a mapping"
                docs.append((path.name, doc))
    return docs


DOCUMENTS = load_documents()
# Kustomization is kustomize's own file, not a Kubernetes API object: there is no schema for
# it in the cluster's OpenAPI, so it gets its own test below.
RESOURCES = [(name, doc) for name, doc in DOCUMENTS if not is_kustomization(doc)]


def only(kind: str) -> dict[str, Any]:
    found = [doc for _, doc in RESOURCES if doc.get("kind") == kind]
    assert len(found) == 1, f"expected one {kind} under deploy/k8s/, found {len(found)}"
    return found[0]


def container() -> dict[str, Any]:
    containers = only("Deployment")["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, "one container per pod"
    return containers[0]


def container_port(port: int | str) -> int:
    """A probe's or Service's port (a number, or the name of one of the container's ports)."""
    ports = container().get("ports", [])
    if isinstance(port, int):
        assert port in [p["containerPort"] for p in ports], f"port {port} is not a container port"
        return port
    named = [p["containerPort"] for p in ports if p.get("name") == port]
    assert named, f"no container port is named {port!r}"
    return named[0]


# -- schema validation -----------------------------------------------------------------------
def test_manifests_are_present() -> None:
    kinds = sorted(doc["kind"] for _, doc in RESOURCES)
    assert kinds == ["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "Service"]


@pytest.mark.parametrize(
    "doc", [doc for _, doc in RESOURCES], ids=[f"{name}:{doc.get('kind')}" for name, doc in RESOURCES]
)
def test_manifest_matches_the_kubernetes_schema(doc: dict[str, Any]) -> None:
    try:
        checked = kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        where = ".".join(str(part) for part in exc.path) or "(top level)"
        pytest.fail(f"{doc['kind']}/{doc['metadata']['name']} at {where}: {exc.message}")
    except kubernetes_validate.SchemaNotFoundError as exc:
        pytest.fail(exc.message)  # e.g. an apiVersion Kubernetes 1.30 does not serve
    assert checked == KUBERNETES_VERSION  # the 1.30 schemas, not an older or newer set


def test_the_schema_check_has_teeth() -> None:
    """Strict 1.30 validation refuses an unknown field and a removed API version."""
    deployment = json.loads(json.dumps(only("Deployment")))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGett"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    hpa = dict(only("HorizontalPodAutoscaler"), apiVersion="autoscaling/v2beta2")  # removed in 1.26
    with pytest.raises(kubernetes_validate.SchemaNotFoundError):
        kubernetes_validate.validate(hpa, KUBERNETES_VERSION, strict=True)


def test_kustomization_lists_every_manifest() -> None:
    kustomizations = [(name, doc) for name, doc in DOCUMENTS if is_kustomization(doc)]
    assert [name for name, _ in kustomizations] == ["kustomization.yaml"]
    listed = kustomizations[0][1].get("resources", [])
    assert len(listed) == len(set(listed)), "a resource is listed twice"
    files = {name for name, _ in RESOURCES}
    assert set(listed) == files, "kustomization.yaml must list exactly the manifests in deploy/k8s/"


# -- the pieces fit together -------------------------------------------------------------------
def test_probes_get_health_on_the_container_port() -> None:
    c = container()
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert probe in c, f"no {probe}"
        get = c[probe].get("httpGet")
        assert get, f"{probe} is not an HTTP GET"
        assert get["path"] == "/health", probe
        assert get.get("scheme", "HTTP") == "HTTP", probe
        assert container_port(get["port"]) == APP_PORT, probe
    # the model and index load before /health answers: give start-up time
    startup = c["startupProbe"]
    assert startup.get("periodSeconds", 10) * startup.get("failureThreshold", 3) >= 60


def test_service_targets_the_container_port() -> None:
    service, deployment = only("Service"), only("Deployment")
    assert service["spec"].get("type", "ClusterIP") == "ClusterIP"
    (port,) = service["spec"]["ports"]
    assert port["port"] == 80
    assert container_port(port["targetPort"]) == APP_PORT
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    selector = service["spec"]["selector"]
    assert selector and selector.items() <= pod_labels.items(), "the Service selects no pod of the Deployment"
    assert deployment["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    # Gradio keeps a conversation in one pod's memory: a patient must stay on that pod
    assert service["spec"].get("sessionAffinity") == "ClientIP"


def test_hpa_scales_the_deployment() -> None:
    hpa, deployment = only("HorizontalPodAutoscaler"), only("Deployment")
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["apiVersion"], target["kind"], target["name"]) == (
        "apps/v1",
        "Deployment",
        deployment["metadata"]["name"],
    )
    low, high = hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]
    assert 2 <= low <= deployment["spec"]["replicas"] <= high
    cpu = [m for m in hpa["spec"]["metrics"] if m["type"] == "Resource" and m["resource"]["name"] == "cpu"]
    assert cpu and cpu[0]["resource"]["target"]["type"] == "Utilization"
    assert "cpu" in container()["resources"]["requests"], "CPU utilisation is measured against the request"


def test_container_runs_as_non_root_with_a_read_only_root() -> None:
    pod = only("Deployment")["spec"]["template"]["spec"]
    pod_security, security = pod.get("securityContext", {}), container().get("securityContext", {})

    def effective(key: str) -> Any:  # the container's setting wins over the pod's
        return security.get(key, pod_security.get(key))

    assert effective("runAsNonRoot") is True
    assert effective("runAsUser") == APP_UID
    assert security.get("readOnlyRootFilesystem") is True
    assert security.get("allowPrivilegeEscalation") is False
    assert "ALL" in security.get("capabilities", {}).get("drop", [])
    # with a read-only root, /tmp (Gradio's temporary files) must be a volume
    mounts = {m["mountPath"]: m["name"] for m in container().get("volumeMounts", [])}
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    assert "/tmp" in mounts and "emptyDir" in volumes[mounts["/tmp"]]


def test_settings_come_from_the_configmap() -> None:
    config = only("ConfigMap")
    refs = [source["configMapRef"]["name"] for source in container().get("envFrom", []) if "configMapRef" in source]
    assert refs == [config["metadata"]["name"]]


def test_configmap_keys_are_real_settings() -> None:
    data = only("ConfigMap")["data"]
    keys = {key for key in data if key.startswith(ENV_PREFIX)}
    assert keys, "the ConfigMap sets no CHATBOT_* setting"
    unknown = sorted(keys - SETTING_NAMES - PENDING_SETTINGS)
    assert not unknown, f"not settings in retrieval/settings.py: {unknown}"
    # the values parse as the settings they set (an int that is not a number raises)
    real = {key: value for key, value in data.items() if key in SETTING_NAMES}
    load_settings(path=ROOT / "tests" / "no-such-settings.toml", env=real)
    for key in ("CHATBOT_WORKERS", "CHATBOT_QUEUE_LIMIT"):
        if key in data:
            assert int(data[key]) >= 1, key


# -- Dockerfile (as text) ----------------------------------------------------------------------
def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    instructions, current = [], ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        if current:
            word, _, rest = current.partition(" ")
            instructions.append((word.upper(), rest.strip()))
        current = ""
    return instructions


def test_dockerfile_base_and_runtime_only() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert "torch" not in text.lower(), "the image needs ONNX Runtime only"
    stages = [args for word, args in dockerfile_instructions() if word == "FROM"]
    assert stages and all(stage.split()[0] == "python:3.11-slim" for stage in stages)
    runs = [args for word, args in dockerfile_instructions() if word == "RUN"]
    assert any("pip install --no-cache-dir ." in run.replace("  ", " ") for run in runs)
    assert not any("[" in run for run in runs if "pip install" in run), "no extras in the image"


def test_dockerfile_runs_as_a_fixed_non_root_user() -> None:
    users = [args for word, args in dockerfile_instructions() if word == "USER"]
    assert users, "no USER line: the container would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    assert user == str(APP_UID), "the UID the Deployment's securityContext expects"


def test_dockerfile_builds_the_index_and_bakes_the_encoder() -> None:
    instructions = dockerfile_instructions()
    runs = [args for word, args in instructions if word == "RUN"]
    assert any("python -m retrieval build" in run for run in runs)
    env = " ".join(args for word, args in instructions if word == "ENV")
    for name in ("CHATBOT_CORPUS_DIR", "CHATBOT_INDEX_DIR"):
        values = [part.split("=", 1)[1] for part in shlex.split(env) if part.startswith(f"{name}=")]
        assert values and values[-1].startswith("/"), f"{name} must be an absolute path in the image"
    for part in shlex.split(env):
        if part.startswith(ENV_PREFIX) and "=" in part:
            assert part.split("=", 1)[0] in SETTING_NAMES, part
    # the encoder must end up in the installed package: either pyproject's package-data
    # reaches retrieval/data/encoder/, or the Dockerfile copies it there itself
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["retrieval"]
    in_wheel = any(pattern.startswith(("data/encoder/", "data/**")) for pattern in package_data)
    assert in_wheel or any("retrieval/data/encoder" in run for run in runs)


def test_dockerfile_serves_and_checks_health() -> None:
    instructions = dockerfile_instructions()
    exposed = [args.split("/")[0] for word, args in instructions if word == "EXPOSE"]
    assert str(APP_PORT) in exposed
    healthchecks = [args for word, args in instructions if word == "HEALTHCHECK"]
    assert healthchecks and healthchecks[-1].upper() != "NONE"
    assert "/health" in healthchecks[-1] and "python" in healthchecks[-1]
    cmds = [args for word, args in instructions if word == "CMD"]
    assert json.loads(cmds[-1]) == ["python", "app.py", "--host", "0.0.0.0", "--port", str(APP_PORT)]


def test_dockerignore_keeps_local_state_out() -> None:
    ignored = {
        line.strip().rstrip("/")
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    for entry in (".venv", ".git", "reports", "build", "index", "var", "tests", "evals/sets/sealed"):
        assert entry in ignored, entry
    for needed in ("corpus", "retrieval", "app.py", "pyproject.toml", "README.md"):
        assert needed not in ignored, f"{needed} is needed to build the image"
