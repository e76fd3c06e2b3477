#!/usr/bin/env python3
"""bench/fixtures.py — deterministic fixtures for bench/compaction.sh.

Writes into .bench/fixtures/ (gitignored; never commit these files):

  pods.json        `kubectl get pods -A -o json`: a v1 List of 10 000 pods with managedFields,
                   ownerReferences, probes, resources, conditions and container statuses (~55 MB)
  pods.yaml        the same List as `-o yaml` (~35 MB)
  pods-wide.txt    `kubectl get pods -A -o wide` for the same 10 000 pods
  events.txt       `kubectl get events -A` consistent with the pods
  app.log          a 40 MB timestamped application log (`kubectl logs`) with ERROR/WARN lines,
                   exact and near repeats, a Go error stack trace, a Java exception and a Go panic
  <fixture>.facts.json   for each fixture: a JSON list of strings a good 5 000-character summary keeps
  manifest.json    the fixture list (file, facts file, original's detection hint, throughput target)

Everything comes from random.Random(SEED): the same script writes byte-identical files.
It needs PyYAML (the py-orig venv has it, since vibectl depends on it); the YAML is written with
the C emitter when available.

The pods (same for JSON, YAML and the wide table)
  10 000 pods in 12 namespaces, ~50 workloads (Deployments, StatefulSets, DaemonSets, CronJob
  Jobs), 30 distinct container images (app containers, sidecars, init containers), restarts on a
  few hundred healthy pods. 260 pods are not Running:
    40 unhealthy pods: 12 CrashLoopBackOff, 6 ImagePullBackOff + 2 ErrImagePull (a bad image tag),
       8 Pending/Unschedulable, 6 OOMKilled, 4 Evicted (Failed), 2 Error (Failed Job pods);
    220 Completed (Succeeded) CronJob pods.

Facts (a fact counts as present when it is a substring of the tool's output; a fact made only of
digits counts as present when that number appears with no digit right before or after it, written
plainly or grouped with ',', '_', ' ' or a thin space — "10000", "10,000", "10 000"):

  pods.json / pods.yaml
    - the item count ("10000")
    - the name of each of the 40 unhealthy pods. The 220 Completed job pods are not named: they
      are healthy, and 260 names (~7 500 characters) cannot fit a 5 000-character budget, so
      naming them all would make the recall target unreachable by construction; their count is a
      fact instead
    - every distinct container image (30, incl. init containers and sidecars)
    - the reasons CrashLoopBackOff, ImagePullBackOff, ErrImagePull, Unschedulable, OOMKilled,
      Evicted
    - the Running and Succeeded phase counts, and the total restart count over all containers
  pods-wide.txt
    - the row count ("10000"), the 40 unhealthy pod names, the STATUS values CrashLoopBackOff,
      ImagePullBackOff, ErrImagePull, Pending, OOMKilled, Evicted, the count of Running rows and
      of Completed rows
  events.txt
    - the event count, the Warning event count, every distinct Warning reason, and the name of
      every object that has a Warning event
  app.log
    - the first and the last timestamp (head and tail kept), the ERROR and the WARN line counts,
      the stable text of each of the 8 distinct ERROR messages and of the 5 distinct WARN messages,
      the panic message and its top frame (file:line), the Java exception with its message and
      the error stack trace's root cause
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import sys

SEED = 20240611
POD_COUNT = 10_000
LOG_BYTES = 40 * 1000 * 1000
NODE_COUNT = 50
BASE_TIME = dt.datetime(2026, 11, 20, 0, 0, 0, tzinfo=dt.timezone.utc)
NOW = BASE_TIME + dt.timedelta(days=30)  # "now" for AGE / LAST SEEN columns

ALNUM = "bcdfghjklmnpqrstvwxz2456789"  # the alphabet Kubernetes uses for generated name suffixes
HEX = "0123456789abcdef"


def iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def suffix(rng: random.Random, n: int = 5) -> str:
    return "".join(rng.choice(ALNUM) for _ in range(n))


def uid(rng: random.Random) -> str:
    h = "".join(rng.choice(HEX) for _ in range(32))
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def digest(rng: random.Random) -> str:
    return "".join(rng.choice(HEX) for _ in range(64))


def age(t: dt.datetime) -> str:
    s = int((NOW - t).total_seconds())
    if s < 120:
        return f"{s}s"
    if s < 600:
        return f"{s // 60}m{s % 60}s"
    if s < 3 * 3600:
        return f"{s // 60}m"
    if s < 8 * 3600:
        return f"{s // 3600}h{(s % 3600) // 60}m"
    if s < 2 * 86400:
        return f"{s // 3600}h"
    return f"{s // 86400}d"


# --------------------------------------------------------------------------------------------
# Workloads: (namespace, name, kind, images of app containers, sidecar images, init images, weight)
# 30 distinct images in total.
ISTIO = "docker.io/istio/proxyv2:1.20.3"
WORKLOADS = [
    ("kube-system", "kube-proxy", "DaemonSet", ["registry.k8s.io/kube-proxy:v1.29.4"], [], [], 0),
    ("kube-system", "coredns", "Deployment", ["registry.k8s.io/coredns/coredns:v1.11.1"], [], [], 4),
    ("kube-system", "aws-node", "DaemonSet", ["602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.18.1"], [],
     ["602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni-init:v1.18.1"], 0),
    ("kube-system", "ebs-csi-node", "DaemonSet", ["public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.30.0"], [], [], 0),
    ("monitoring", "node-exporter", "DaemonSet", ["quay.io/prometheus/node-exporter:v1.8.0"], [], [], 0),
    ("monitoring", "fluent-bit", "DaemonSet", ["cr.fluentbit.io/fluent/fluent-bit:3.0.4"], [], [], 0),
    ("monitoring", "prometheus", "StatefulSet", ["quay.io/prometheus/prometheus:v2.52.0"], [], [], 2),
    ("monitoring", "grafana", "Deployment", ["docker.io/grafana/grafana:10.4.2"], [], [], 2),
    ("ingress-nginx", "ingress-nginx-controller", "Deployment",
     ["registry.k8s.io/ingress-nginx/controller:v1.10.1"], [], [], 60),
    ("default", "hello", "Deployment", ["docker.io/library/nginx:1.25.5"], [], [], 40),
    ("payments", "payments-api", "Deployment", ["ghcr.io/acme/payments-api:v3.12.0"], [ISTIO], [], 900),
    ("payments", "ledger", "StatefulSet", ["ghcr.io/acme/ledger:v1.4.2"], [ISTIO], [], 3),
    ("payments", "fraud-scorer", "Deployment", ["ghcr.io/acme/fraud-scorer:2024.11.3"], [ISTIO], [], 500),
    ("orders", "orders", "Deployment", ["ghcr.io/acme/orders:v2.14.3"], [],
     ["ghcr.io/acme/db-migrate:v0.9.1"], 1400),
    ("orders", "orders-worker", "Deployment", ["ghcr.io/acme/orders:v2.14.3"], [], [], 1100),
    ("checkout", "checkout-web", "Deployment", ["ghcr.io/acme/checkout-web:5.3.1"], [ISTIO], [], 1300),
    ("checkout", "cart", "Deployment", ["ghcr.io/acme/cart:1.22.0"], [], [], 900),
    ("checkout", "recommender", "Deployment", ["ghcr.io/acme/recommender:2.0.0-rc1"], [], [], 8),
    ("search", "search-api", "Deployment", ["ghcr.io/acme/search-api:4.7.0"], [], [], 800),
    ("search", "elasticsearch", "StatefulSet", ["docker.elastic.co/elasticsearch/elasticsearch:8.13.4"], [],
     ["docker.io/library/busybox:1.36.1"], 24),
    ("auth", "auth-server", "Deployment", ["quay.io/keycloak/keycloak:24.0.4"], [], [], 300),
    ("auth", "session-cache", "StatefulSet", ["docker.io/library/redis:7.2.4-alpine"], [], [], 6),
    ("data", "postgres", "StatefulSet", ["docker.io/bitnami/postgresql:16.3.0"], [], [], 3),
    ("data", "kafka", "StatefulSet", ["docker.io/bitnami/kafka:3.7.0"], [], [], 9),
    ("ml-serving", "model-server", "Deployment", ["nvcr.io/nvidia/tritonserver:24.04-py3"], [], [], 700),
    ("ml-serving", "feature-store", "Deployment", ["ghcr.io/acme/feature-store:0.31.2"], [], [], 400),
    ("batch", "nightly-report", "CronJob", ["ghcr.io/acme/report-runner:1.8.0"], [], [], 0),
    ("batch", "invoice-export", "CronJob", ["ghcr.io/acme/report-runner:1.8.0"], [], [], 0),
]
COMPLETED_JOB_PODS = 220
ERROR_JOB_PODS = 2


class Pod:
    __slots__ = ("ns", "name", "workload", "kind", "owner", "images", "sidecars", "inits", "node", "ip",
                 "created", "phase", "status", "restarts", "ready", "reason_fact", "last_restart")


def build_pods(rng: random.Random) -> list[Pod]:
    nodes = [f"ip-10-0-{rng.randrange(0, 64)}-{rng.randrange(2, 254)}.ec2.internal" for _ in range(NODE_COUNT)]
    pods: list[Pod] = []

    def add(ns, workload, kind, images, sidecars, inits, name, owner):
        p = Pod()
        p.ns, p.workload, p.kind, p.name, p.owner = ns, workload, kind, name, owner
        p.images, p.sidecars, p.inits = images, sidecars, inits
        p.node = rng.choice(nodes)
        p.ip = f"10.0.{rng.randrange(64, 255)}.{rng.randrange(2, 254)}"
        p.created = NOW - dt.timedelta(seconds=rng.randrange(600, 40 * 86400))
        p.phase, p.status, p.restarts, p.ready, p.reason_fact = "Running", "Running", 0, True, None
        p.last_restart = None
        pods.append(p)
        return p

    # DaemonSets: one pod per node.
    for ns, wl, kind, images, sidecars, inits, _ in WORKLOADS:
        if kind == "DaemonSet":
            for i in range(NODE_COUNT):
                p = add(ns, wl, kind, images, sidecars, inits, f"{wl}-{suffix(rng)}", wl)
                p.node = nodes[i]
    # Job pods (220 Completed + 2 Error).
    jobs = [w for w in WORKLOADS if w[2] == "CronJob"]
    for i in range(COMPLETED_JOB_PODS + ERROR_JOB_PODS):
        ns, wl, kind, images, sidecars, inits, _ = jobs[i % len(jobs)]
        job = f"{wl}-{29000000 + 1440 * (i // len(jobs))}"
        add(ns, wl, "Job", images, sidecars, inits, f"{job}-{suffix(rng)}", job)
    # Deployments / StatefulSets share the rest by weight.
    rest = POD_COUNT - len(pods)
    weighted = [w for w in WORKLOADS if w[6] > 0]
    # Small workloads get exactly their weight in pods; the big ones share what is left.
    small_total = sum(w[6] for w in weighted if w[6] < 50)
    big_weight = sum(w[6] for w in weighted if w[6] >= 50)
    counts = [w[6] if w[6] < 50 else w[6] * (rest - small_total) // big_weight for w in weighted]
    counts[weighted.index(next(w for w in weighted if w[1] == "orders"))] += rest - sum(counts)
    for (ns, wl, kind, images, sidecars, inits, _), n in zip(weighted, counts):
        if kind == "StatefulSet":
            for i in range(n):
                add(ns, wl, kind, images, sidecars, inits, f"{wl}-{i}", wl)
        else:
            hashes = ["".join(rng.choice(ALNUM) for _ in range(rng.choice((9, 10)))) for _ in range(2)]
            for _ in range(n):
                rs = f"{wl}-{rng.choice(hashes)}"
                add(ns, wl, kind, images, sidecars, inits, f"{rs}-{suffix(rng)}", rs)
    assert len(pods) == POD_COUNT, len(pods)

    # Order as kubectl lists them: by namespace, then name.
    pods.sort(key=lambda p: (p.ns, p.name))

    # Unhealthy pods.
    jobs_pods = [p for p in pods if p.kind == "Job"]
    for p in jobs_pods[:ERROR_JOB_PODS]:
        p.phase, p.status, p.ready = "Failed", "Error", False
    for p in jobs_pods[ERROR_JOB_PODS:]:
        p.phase, p.status, p.ready = "Succeeded", "Completed", False
    # The recommender rollout uses an image tag that does not exist: 2 ErrImagePull, 6 ImagePullBackOff.
    for i, p in enumerate([p for p in pods if p.workload == "recommender"]):
        p.phase, p.ready = "Pending", False
        p.status = "ErrImagePull" if i < 2 else "ImagePullBackOff"
        p.reason_fact = p.status
    candidates = [p for p in pods if p.kind == "Deployment" and p.status == "Running" and p.ns not in ("kube-system",)]
    chosen = rng.sample(candidates, 12 + 8 + 6 + 4)
    for p in chosen[:12]:
        p.status, p.ready, p.restarts = "CrashLoopBackOff", False, rng.randrange(20, 400)
        p.last_restart = NOW - dt.timedelta(seconds=rng.randrange(30, 300))
    for p in chosen[12:20]:
        p.phase, p.status, p.ready, p.node, p.ip = "Pending", "Pending", False, None, None
        p.reason_fact = "Unschedulable"
    for p in chosen[20:26]:
        p.status, p.ready, p.restarts = "OOMKilled", False, rng.randrange(3, 60)
        p.last_restart = NOW - dt.timedelta(seconds=rng.randrange(5, 60))
    for p in chosen[26:30]:
        p.phase, p.status, p.ready, p.ip = "Failed", "Evicted", False, None
    # Restarts on some healthy pods.
    for p in rng.sample([p for p in pods if p.status == "Running"], 400):
        p.restarts = rng.randrange(1, 8)
        p.last_restart = NOW - dt.timedelta(seconds=rng.randrange(3600, 20 * 86400))
    return pods


def unhealthy(pods: list[Pod]) -> list[Pod]:
    return [p for p in pods if p.status not in ("Running", "Completed")]


def container_names(p: Pod) -> list[str]:
    names = [p.workload if i == 0 else f"{p.workload}-{i}" for i in range(len(p.images))]
    names += ["istio-proxy" for _ in p.sidecars]
    return names


def pod_object(p: Pod, rng: random.Random) -> dict:
    created = iso(p.created)
    started = iso(p.created + dt.timedelta(seconds=rng.randrange(2, 40)))
    token_vol = f"kube-api-access-{suffix(rng)}"
    owner_kind = {"Deployment": "ReplicaSet", "StatefulSet": "StatefulSet", "DaemonSet": "DaemonSet",
                  "Job": "Job"}[p.kind]
    labels = {"app.kubernetes.io/name": p.workload, "app.kubernetes.io/part-of": p.ns}
    if p.kind == "Deployment":
        labels["pod-template-hash"] = p.owner.rsplit("-", 1)[1]
    elif p.kind == "StatefulSet":
        labels["statefulset.kubernetes.io/pod-name"] = p.name
        labels["controller-revision-hash"] = f"{p.workload}-{suffix(rng, 10)}"
    elif p.kind == "DaemonSet":
        labels["controller-revision-hash"] = suffix(rng, 10)
        labels["pod-template-generation"] = "3"
    else:
        labels["batch.kubernetes.io/job-name"] = p.owner
        labels["job-name"] = p.owner
    if p.sidecars:
        labels["security.istio.io/tlsMode"] = "istio"
        labels["service.istio.io/canonical-name"] = p.workload
    annotations = {"kubectl.kubernetes.io/restartedAt": iso(p.created - dt.timedelta(hours=3))}
    if p.sidecars:
        annotations["sidecar.istio.io/status"] = json.dumps(
            {"initContainers": None, "containers": ["istio-proxy"], "volumes": ["istio-envoy", "istio-data"],
             "imagePullSecrets": None, "revision": "default"}, separators=(",", ":"))
        annotations["prometheus.io/port"] = "15020"
        annotations["prometheus.io/scrape"] = "true"

    containers = []
    for name, image in zip(container_names(p), p.images + p.sidecars):
        is_proxy = name == "istio-proxy"
        c = {
            "image": image,
            "imagePullPolicy": "IfNotPresent",
            "name": name,
            "resources": {
                "limits": {"cpu": "2" if is_proxy else f"{rng.choice((500, 1000, 2000))}m",
                           "memory": "1Gi" if is_proxy else f"{rng.choice((256, 512, 1024, 2048))}Mi"},
                "requests": {"cpu": "100m", "memory": "128Mi" if is_proxy else "256Mi"},
            },
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File",
            "volumeMounts": [{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": token_vol,
                              "readOnly": True}],
        }
        if is_proxy:
            c["ports"] = [{"containerPort": 15090, "name": "http-envoy-prom", "protocol": "TCP"}]
        else:
            c["env"] = [{"name": "LOG_LEVEL", "value": "info"}]
            c["ports"] = [{"containerPort": 8080, "name": "http", "protocol": "TCP"}]
            c["readinessProbe"] = {"failureThreshold": 3, "httpGet": {"path": "/readyz", "port": "http", "scheme": "HTTP"},
                                   "periodSeconds": 10, "successThreshold": 1, "timeoutSeconds": 1}
        containers.append(c)

    spec = {
        "containers": containers,
        "dnsPolicy": "ClusterFirst",
        "enableServiceLinks": True,
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0,
        "restartPolicy": "Never" if p.kind == "Job" else "Always",
        "schedulerName": "default-scheduler",
        "securityContext": {},
        "serviceAccount": p.workload if p.kind != "Job" else "default",
        "serviceAccountName": p.workload if p.kind != "Job" else "default",
        "terminationGracePeriodSeconds": 30,
        "tolerations": [
            {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
            {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists",
             "tolerationSeconds": 300}],
        "volumes": [{"name": token_vol, "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}]}}],
    }
    if p.node:
        spec["nodeName"] = p.node
    if p.inits:
        spec["initContainers"] = [{"image": img, "imagePullPolicy": "IfNotPresent", "name": f"init-{i}",
                                   "resources": {}, "terminationMessagePath": "/dev/termination-log",
                                   "terminationMessagePolicy": "File"} for i, img in enumerate(p.inits)]

    metadata = {
        "annotations": annotations,
        "creationTimestamp": created,
        "labels": labels,
        "managedFields": [
            {"apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {
                "f:metadata": {"f:labels": {f"f:{k}": {} for k in labels},
                               "f:ownerReferences": {f'k:{{"uid":"{uid(rng)}"}}': {}}},
                "f:spec": {"f:containers": {f'k:{{"name":"{n}"}}': {"f:image": {}} for n in container_names(p)}}},
             "manager": "kube-controller-manager", "operation": "Update", "time": created},
            {"apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:status": {
                "f:containerStatuses": {}, "f:phase": {}, "f:podIP": {}}},
             "manager": "kubelet", "operation": "Update", "subresource": "status", "time": started},
        ],
        "name": p.name,
        "namespace": p.ns,
        "ownerReferences": [{"apiVersion": "batch/v1" if p.kind == "Job" else "apps/v1", "blockOwnerDeletion": True,
                             "controller": True, "kind": owner_kind, "name": p.owner, "uid": uid(rng)}],
        "resourceVersion": str(rng.randrange(10_000_000, 99_999_999)),
        "uid": uid(rng),
    }
    if p.kind in ("Deployment", "DaemonSet", "Job"):
        metadata["generateName"] = p.name[: p.name.rfind("-") + 1]

    # ---- status
    def cond(t, status, reason=None, message=None, when=started):
        c = {"lastProbeTime": None, "lastTransitionTime": when, "status": status, "type": t}
        if reason:
            c["reason"] = reason
        if message:
            c["message"] = message
        return c

    status: dict = {"phase": p.phase, "qosClass": "Burstable"}
    if p.status == "Pending":  # unschedulable
        status["conditions"] = [cond("PodScheduled", "False", "Unschedulable",
                                     f"0/{NODE_COUNT} nodes are available: {NODE_COUNT - 3} Insufficient memory, 3 node(s) had "
                                     "untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/"
                                     f"{NODE_COUNT} nodes are available: {NODE_COUNT} No preemption victims found for incoming pod.")]
        return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec, "status": status}
    if p.status == "Evicted":
        status["reason"] = "Evicted"
        status["message"] = ("The node was low on resource: memory. Threshold quantity: 100Mi, available: 91364Ki. "
                             f"Container {p.workload} was using 1830024Ki, request is 256Mi, has larger consumption of memory.")
        status["startTime"] = started
        status["hostIP"] = f"10.0.{rng.randrange(0, 64)}.{rng.randrange(2, 254)}"
        status["conditions"] = [cond("DisruptionTarget", "True", "TerminationByKubelet",
                                     "The node was low on resource: memory.")]
        return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec, "status": status}

    ready = "True" if p.ready else "False"
    status["conditions"] = [
        cond("PodReadyToStartContainers", "True" if p.phase != "Succeeded" else "False"),
        cond("Initialized", "True", "PodCompleted" if p.kind == "Job" and p.phase != "Running" else None),
        cond("Ready", ready, None if p.ready else ("PodCompleted" if p.phase in ("Succeeded", "Failed") else "ContainersNotReady"),
             None if p.ready or p.phase in ("Succeeded", "Failed") else
             f"containers with unready status: [{p.workload}]"),
        cond("ContainersReady", ready, None if p.ready else "ContainersNotReady"),
        cond("PodScheduled", "True"),
    ]
    status["hostIP"] = f"10.0.{rng.randrange(0, 64)}.{rng.randrange(2, 254)}"
    status["hostIPs"] = [{"ip": status["hostIP"]}]
    if p.ip:
        status["podIP"] = p.ip
        status["podIPs"] = [{"ip": p.ip}]
    status["startTime"] = started
    cstatuses = []
    for i, (name, image) in enumerate(zip(container_names(p), p.images + p.sidecars)):
        main = i == 0
        cs = {"containerID": f"containerd://{digest(rng)}", "image": image,
              "imageID": f"{image.rsplit(':', 1)[0]}@sha256:{digest(rng)}", "lastState": {}, "name": name,
              "ready": p.ready or not main, "restartCount": p.restarts if main else 0, "started": True,
              "state": {"running": {"startedAt": started}}}
        if main and p.status == "CrashLoopBackOff":
            cs["state"] = {"waiting": {"message": f"back-off 5m0s restarting failed container={name} pod={p.name}_{p.ns}"
                                       f"({metadata['uid']})", "reason": "CrashLoopBackOff"}}
            cs["lastState"] = {"terminated": {"containerID": f"containerd://{digest(rng)}", "exitCode": 1,
                                              "finishedAt": iso(p.last_restart), "reason": "Error",
                                              "startedAt": iso(p.last_restart - dt.timedelta(seconds=4))}}
            cs["started"] = False
        elif main and p.status == "OOMKilled":
            cs["state"] = {"terminated": {"containerID": f"containerd://{digest(rng)}", "exitCode": 137,
                                          "finishedAt": iso(p.last_restart), "reason": "OOMKilled",
                                          "startedAt": iso(p.last_restart - dt.timedelta(minutes=17))}}
            cs["lastState"] = {"terminated": {"containerID": f"containerd://{digest(rng)}", "exitCode": 137,
                                              "finishedAt": iso(p.last_restart - dt.timedelta(minutes=20)),
                                              "reason": "OOMKilled",
                                              "startedAt": iso(p.last_restart - dt.timedelta(minutes=38))}}
            cs["started"] = False
        elif main and p.status in ("ImagePullBackOff", "ErrImagePull"):
            msg = (f'Back-off pulling image "{image}"' if p.status == "ImagePullBackOff" else
                   f'failed to pull and unpack image "{image}": failed to resolve reference "{image}": '
                   f"{image}: not found")
            cs = {"image": image, "imageID": "", "lastState": {}, "name": name, "ready": False, "restartCount": 0,
                  "started": False, "state": {"waiting": {"message": msg, "reason": p.status}}}
        elif p.status in ("Completed", "Error"):
            code = 0 if p.status == "Completed" else 2
            cs["state"] = {"terminated": {"containerID": f"containerd://{digest(rng)}", "exitCode": code,
                                          "finishedAt": iso(p.created + dt.timedelta(minutes=3)), "reason": p.status,
                                          "startedAt": started}}
            cs["ready"] = False
            cs["started"] = False
        elif main and p.restarts:
            cs["lastState"] = {"terminated": {"containerID": f"containerd://{digest(rng)}", "exitCode": 143,
                                              "finishedAt": iso(p.last_restart), "reason": "Error",
                                              "startedAt": started}}
            cs["state"] = {"running": {"startedAt": iso(p.last_restart)}}
        cstatuses.append(cs)
    status["containerStatuses"] = cstatuses
    if p.inits:
        status["initContainerStatuses"] = [{
            "containerID": f"containerd://{digest(rng)}", "image": img, "imageID": f"{img.rsplit(':', 1)[0]}@sha256:{digest(rng)}",
            "lastState": {}, "name": f"init-{i}", "ready": True, "restartCount": 0, "started": False,
            "state": {"terminated": {"containerID": f"containerd://{digest(rng)}", "exitCode": 0, "finishedAt": started,
                                     "reason": "Completed", "startedAt": started}}} for i, img in enumerate(p.inits)]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec, "status": status}


# --------------------------------------------------------------------------------------------
def wide_table(pods: list[Pod]) -> str:
    header = ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE",
              "READINESS GATES"]
    rows = [header]
    for p in pods:
        total = len(p.images) + len(p.sidecars)
        if p.status in ("Completed", "Error", "Evicted", "Pending", "ImagePullBackOff", "ErrImagePull"):
            ready = 0
        elif p.ready:
            ready = total
        else:
            ready = total - 1
        restarts = str(p.restarts)
        if p.restarts and p.last_restart:
            restarts += f" ({age(p.last_restart)} ago)"
        rows.append([p.ns, p.name, f"{ready}/{total}", p.status, restarts, age(p.created), p.ip or "<none>",
                     p.node or "<none>", "<none>", "<none>"])
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    out = []
    for r in rows:
        out.append("   ".join(cell.ljust(widths[i]) for i, cell in enumerate(r[:-1])) + "   " + r[-1])
    return "\n".join(out) + "\n"


def events_table(pods: list[Pod], rng: random.Random) -> tuple[str, dict]:
    events = []  # (ns, last_seen_seconds, type, reason, object, message)
    for p in pods:
        obj = f"pod/{p.name}"
        main_image = p.images[0]
        if p.status == "CrashLoopBackOff":
            events.append((p.ns, rng.randrange(5, 300), "Warning", "BackOff", obj,
                           f"Back-off restarting failed container {p.workload} in pod {p.name}_{p.ns}"))
            events.append((p.ns, rng.randrange(300, 900), "Normal", "Pulled", obj,
                           f'Container image "{main_image}" already present on machine'))
        elif p.status in ("ImagePullBackOff", "ErrImagePull"):
            events.append((p.ns, rng.randrange(5, 300), "Normal", "Pulling", obj, f'Pulling image "{main_image}"'))
            events.append((p.ns, rng.randrange(5, 300), "Warning", "Failed", obj,
                           f'Failed to pull image "{main_image}": rpc error: code = NotFound desc = failed to pull '
                           f'and unpack image "{main_image}": not found'))
            events.append((p.ns, rng.randrange(5, 300), "Warning", "Failed", obj, "Error: ErrImagePull"))
            events.append((p.ns, rng.randrange(5, 300), "Warning", "BackOff", obj, f'Back-off pulling image "{main_image}"'))
        elif p.status == "Pending":
            events.append((p.ns, rng.randrange(5, 600), "Warning", "FailedScheduling", obj,
                           f"0/{NODE_COUNT} nodes are available: {NODE_COUNT - 3} Insufficient memory, 3 node(s) had "
                           "untolerated taint {node-role.kubernetes.io/control-plane: }."))
        elif p.status == "OOMKilled":
            events.append((p.ns, rng.randrange(5, 60), "Warning", "BackOff", obj,
                           f"Back-off restarting failed container {p.workload} in pod {p.name}_{p.ns}"))
            events.append((p.ns, rng.randrange(5, 60), "Normal", "Killing", obj,
                           f"Container {p.workload} exceeded its memory limit; OOMKilled, will be restarted"))
        elif p.status == "Evicted":
            events.append((p.ns, rng.randrange(600, 3000), "Warning", "Evicted", obj,
                           "The node was low on resource: memory. Threshold quantity: 100Mi, available: 91364Ki."))
        elif p.status == "Error":
            events.append((p.ns, rng.randrange(600, 3000), "Warning", "BackoffLimitExceeded", f"job/{p.owner}",
                           "Job has reached the specified backoff limit"))
        elif p.status == "Completed" and rng.random() < 0.3:
            events.append((p.ns, rng.randrange(60, 3500), "Normal", "Completed", f"job/{p.owner}", "Job completed"))
        elif p.status == "Running" and rng.random() < 0.25:
            t = rng.randrange(60, 3500)
            events.append((p.ns, t + 9, "Normal", "Scheduled", obj,
                           f"Successfully assigned {p.ns}/{p.name} to {p.node}"))
            events.append((p.ns, t + 8, "Normal", "Pulled", obj, f'Container image "{main_image}" already present on machine'))
            events.append((p.ns, t + 8, "Normal", "Created", obj, f"Created container {p.workload}"))
            events.append((p.ns, t + 7, "Normal", "Started", obj, f"Started container {p.workload}"))
    flaky = rng.sample([p for p in pods if p.status == "Running" and p.kind == "Deployment"], 5)
    for p in flaky:
        events.append((p.ns, rng.randrange(5, 1200), "Warning", "Unhealthy", f"pod/{p.name}",
                       "Readiness probe failed: Get \"http://" + (p.ip or "10.0.0.1") + ":8080/readyz\": context deadline "
                       "exceeded (Client.Timeout exceeded while awaiting headers)"))
    mount = rng.choice([p for p in pods if p.kind == "StatefulSet"])
    events.append((mount.ns, 420, "Warning", "FailedMount", f"pod/{mount.name}",
                   f"MountVolume.SetUp failed for volume \"data\" : rpc error: code = Internal desc = Could not attach "
                   f"volume \"vol-0{digest(rng)[:16]}\" to node \"{mount.node}\": attachment of disk failed"))
    events.sort(key=lambda e: (e[0], e[4], -e[1]))
    header = ["NAMESPACE", "LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    rows = [header] + [[e[0], age(NOW - dt.timedelta(seconds=e[1])), e[2], e[3], e[4], e[5]] for e in events]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header) - 1)]
    text = "\n".join("   ".join(c.ljust(widths[i]) for i, c in enumerate(r[:-1])) + "   " + r[-1] for r in rows) + "\n"
    warnings = [e for e in events if e[2] == "Warning"]
    facts = [str(len(events)), str(len(warnings))]
    facts += sorted({e[3] for e in warnings})
    facts += sorted({e[4].split("/", 1)[1] for e in warnings})
    return text, {"events": len(events), "warnings": len(warnings), "facts": facts}


# --------------------------------------------------------------------------------------------
ERRORS = [  # (component, fixed text, variable part or None, count, burst)
    ("db", "failed to connect to postgres-primary.data.svc.cluster.local:5432: dial tcp 10.0.7.12:5432: connect: "
           "connection refused", None, 600, True),
    ("http", "upstream payments-api returned 503 Service Unavailable", "request_id", 300, False),
    ("worker", "job failed: timeout after 30s waiting for lock", "lock", 200, False),
    ("cache", "redis: MOVED 3999 10.0.4.21:6379 (cluster topology changed)", None, 150, True),
    ("auth", "token validation failed: crypto/rsa: verification error", "kid", 120, False),
    ("kafka", "producer: message too large (1048588 > 1048576 bytes) topic=order-events", None, 80, False),
    ("payments", "refund rejected by processor: card_declined", "refund", 40, False),
    ("scheduler", "java.lang.IllegalStateException: Connection pool exhausted (max=50)", None, 25, False),
]
WARNS = [
    ("http", "slow request: GET /api/v1/search took", "ms", 2000, False),
    ("db", "connection pool at 90% capacity (45/50)", None, 500, True),
    ("k8s", "failed to renew lease orders-leader: context deadline exceeded", None, 60, False),
    ("config", "deprecated setting FEATURE_LEGACY_CHECKOUT is set; it will be removed in v3", None, 3, False),
    ("gc", "GC pause exceeded target 200ms", "pause", 100, False),
]
JAVA_STACK = [
    "\tat com.acme.orders.db.Pool.acquire(Pool.java:88)",
    "\tat com.acme.orders.db.Pool.withConnection(Pool.java:41)",
    "\tat com.acme.orders.scheduler.ReconcileJob.run(ReconcileJob.java:127)",
    "\tat java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1144)",
    "\tat java.base/java.lang.Thread.run(Thread.java:1583)",
    "Caused by: java.util.concurrent.TimeoutException: no connection available within 30000ms",
    "\t... 5 more",
]
GO_ERROR_STACK = [
    "github.com/acme/orders/internal/store.(*Store).SaveOrder",
    "\t/src/internal/store/orders.go:212",
    "github.com/acme/orders/internal/handler.(*OrderHandler).Create",
    "\t/src/internal/handler/orders.go:97",
    "net/http.HandlerFunc.ServeHTTP",
    "\t/usr/local/go/src/net/http/server.go:2166",
]
PANIC = [
    "panic: runtime error: invalid memory address or nil pointer dereference",
    "[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x6f2a1c]",
    "",
    "goroutine 4127 [running]:",
    "github.com/acme/orders/internal/handler.(*OrderHandler).applyDiscount(0xc000a1e000, 0x0)",
    "\t/src/internal/handler/discount.go:88 +0x1c",
    "github.com/acme/orders/internal/handler.(*OrderHandler).Checkout(0xc000a1e000, {0x9a3b40, 0xc0004f2380}, 0xc000b12000)",
    "\t/src/internal/handler/checkout.go:143 +0x2b5",
    "net/http.HandlerFunc.ServeHTTP(0xc000123450?, {0x9a3b40?, 0xc0004f2380?}, 0x0?)",
    "\t/usr/local/go/src/net/http/server.go:2166 +0x29",
    "net/http.serverHandler.ServeHTTP({0xc000210000?}, {0x9a3b40?, 0xc0004f2380?}, 0xc000b12000)",
    "\t/usr/local/go/src/net/http/server.go:3137 +0x8e",
    "net/http.(*conn).serve(0xc0002a4000, {0x9a4f08, 0xc00021e0f0})",
    "\t/usr/local/go/src/net/http/server.go:2039 +0x5e8",
    "created by net/http.(*Server).Serve in goroutine 1",
    "\t/usr/local/go/src/net/http/server.go:3285 +0x4b4",
]
PATHS = ["/api/v1/orders", "/api/v1/orders/{id}", "/api/v1/cart/{id}", "/api/v1/search", "/healthz", "/api/v1/users/{id}"]


def make_log(rng: random.Random) -> tuple[str, list[str]]:
    """Returns the log text and its facts."""
    # Decide the positions of the special lines first, then fill with INFO/DEBUG lines until LOG_BYTES.
    est_lines = LOG_BYTES // 118
    special: dict[int, list[tuple[str, str, str]]] = {}  # line index -> [(level, component, message)]

    def place(level, comp, text, var, count, burst):
        start = rng.randrange(est_lines // 10, est_lines * 8 // 10)
        for k in range(count):
            idx = start + k * rng.randrange(1, 4) if burst else rng.randrange(200, est_lines - 3000)
            if var == "request_id":
                msg = f"{text} (request_id={digest(rng)[:16]})"
            elif var == "lock":
                n = rng.randrange(100000, 999999)
                msg = f"job {n} failed: timeout after 30s waiting for lock orders:{n}"
            elif var == "kid":
                msg = f"{text} (kid={digest(rng)[:8]})"
            elif var == "refund":
                msg = f"refund re_{digest(rng)[:14]} rejected by processor: card_declined"
            elif var == "ms":
                msg = f"{text} {rng.randrange(1001, 9000)}ms (threshold 1000ms)"
            elif var == "pause":
                msg = f"GC pause {rng.randrange(201, 950)}ms exceeded target 200ms"
            else:
                msg = text
            special.setdefault(idx, []).append((level, comp, msg))

    for e in ERRORS:
        place("ERROR", *e)
    for w in WARNS:
        place("WARN", *w)
    go_stack_at = rng.randrange(est_lines // 3, est_lines // 2)
    special.setdefault(go_stack_at, []).append(("ERROR", "store", "save order failed: pq: deadlock detected"))

    lines: list[str] = []
    size = 0
    t = BASE_TIME
    errors = warns = 0
    i = 0
    first_ts = None
    panic_at = None
    while size < LOG_BYTES - 4000:
        t += dt.timedelta(microseconds=rng.randrange(1000, 120000))
        ts = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
        if first_ts is None:
            first_ts = ts
        batch = special.get(i)
        if batch and i < est_lines - 2000:
            for level, comp, msg in batch:
                line = f"{ts} {level:<5} [{comp}] {msg}"
                lines.append(line)
                size += len(line) + 1
                if level == "ERROR":
                    errors += 1
                else:
                    warns += 1
                if comp == "scheduler":
                    for s in JAVA_STACK:
                        lines.append(s)
                        size += len(s) + 1
                if comp == "store":
                    for s in GO_ERROR_STACK:
                        lines.append(s)
                        size += len(s) + 1
        else:
            r = rng.random()
            if r < 0.55:
                path = rng.choice(PATHS).replace("{id}", str(rng.randrange(1000, 99999)))
                line = (f"{ts} INFO  [http] {rng.choice(('GET', 'GET', 'POST', 'PUT'))} {path} status="
                        f"{rng.choice((200, 200, 200, 201, 204, 404))} duration={rng.randrange(1, 400)}ms "
                        f"request_id={digest(rng)[:16]}")
            elif r < 0.75:
                line = f"{ts} DEBUG [cache] hit key=order:{rng.randrange(100000, 999999)} ttl={rng.randrange(1, 600)}s"
            elif r < 0.9:
                line = (f"{ts} INFO  [db] query completed table=orders rows={rng.randrange(0, 500)} "
                        f"duration={rng.randrange(1, 80)}ms")
            else:
                line = (f"{ts} INFO  [worker] processed job id={rng.randrange(100000, 999999)} queue=orders "
                        f"attempts=1 elapsed={rng.randrange(5, 3000)}ms")
            lines.append(line)
            size += len(line) + 1
        i += 1
        if panic_at is None and size > LOG_BYTES - 60_000:
            panic_at = len(lines)
            lines.extend(PANIC)
            size += sum(len(s) + 1 for s in PANIC)
            t += dt.timedelta(seconds=14)
            ts = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
            restart = f"{ts} INFO  [main] starting orders-service version=v2.14.3 commit=9f8e7d6 go=go1.22.3"
            lines.append(restart)
            size += len(restart) + 1
    # Anything placed past the end never got written: count only what was.
    t += dt.timedelta(milliseconds=250)
    last_ts = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
    lines.append(f"{last_ts} INFO  [main] received SIGTERM, shutting down gracefully (in-flight=3)")
    text = "\n".join(lines) + "\n"
    facts = [first_ts, last_ts, str(errors), str(warns)]
    facts += [e[1] if e[2] is None else {"request_id": "upstream payments-api returned 503 Service Unavailable",
                                           "lock": "failed: timeout after 30s waiting for lock",
                                           "kid": "token validation failed: crypto/rsa: verification error",
                                           "refund": "rejected by processor: card_declined"}[e[2]] for e in ERRORS]
    facts += [w[1] if w[2] is None else {"ms": "slow request: GET /api/v1/search",
                                         "pause": "exceeded target 200ms"}[w[2]] for w in WARNS]
    facts += ["invalid memory address or nil pointer dereference", "discount.go:88",
              "TimeoutException: no connection available", "pq: deadlock detected"]
    return text, facts


# --------------------------------------------------------------------------------------------
def write(path: str, text: str) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, path)


def write_json(path: str, value) -> None:
    write(path, json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".bench", "fixtures"))
    ap.add_argument("--force", action="store_true", help="regenerate even when the stamp matches")
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    with open(os.path.abspath(__file__), "rb") as f:
        stamp_value = hashlib.sha256(f.read()).hexdigest()
    stamp = os.path.join(out, ".stamp")
    manifest_path = os.path.join(out, "manifest.json")
    if not args.force and os.path.exists(stamp) and os.path.exists(manifest_path):
        with open(stamp) as f:
            if f.read().strip() == stamp_value:
                print(f"fixtures: up to date in {out}", file=sys.stderr)
                return 0

    import yaml  # PyYAML; only needed when generating

    rng = random.Random(SEED)
    print("fixtures: building 10 000 pods", file=sys.stderr)
    pods = build_pods(rng)
    items = [pod_object(p, rng) for p in pods]
    pod_list = {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}

    bad = unhealthy(pods)
    images = sorted({img for p in pods for img in p.images + p.sidecars + p.inits})
    assert len(bad) == 40 and len(images) == 30, (len(bad), len(images))
    restarts_total = sum(cs.get("restartCount", 0) for it in items
                         for cs in it["status"].get("containerStatuses", []) + it["status"].get("initContainerStatuses", []))
    phases: dict[str, int] = {}
    for p in pods:
        phases[p.phase] = phases.get(p.phase, 0) + 1
    pod_facts = [str(len(items))] + [p.name for p in bad] + images
    pod_facts += ["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "Unschedulable", "OOMKilled", "Evicted"]
    pod_facts += [str(phases["Running"]), str(phases["Succeeded"]), str(restarts_total)]

    print("fixtures: writing pods.json", file=sys.stderr)
    write(os.path.join(out, "pods.json"), json.dumps(pod_list, indent=4, sort_keys=True, ensure_ascii=False) + "\n")
    write_json(os.path.join(out, "pods.json.facts.json"), pod_facts)

    print("fixtures: writing pods.yaml", file=sys.stderr)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    write(os.path.join(out, "pods.yaml"),
          yaml.dump(pod_list, Dumper=dumper, default_flow_style=False, sort_keys=True, allow_unicode=True, width=1 << 20))
    write_json(os.path.join(out, "pods.yaml.facts.json"), pod_facts)
    del pod_list, items

    print("fixtures: writing pods-wide.txt", file=sys.stderr)
    write(os.path.join(out, "pods-wide.txt"), wide_table(pods))
    statuses: dict[str, int] = {}
    for p in pods:
        statuses[p.status] = statuses.get(p.status, 0) + 1
    wide_facts = [str(len(pods))] + [p.name for p in bad]
    wide_facts += ["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "Pending", "OOMKilled", "Evicted"]
    wide_facts += [str(statuses["Running"]), str(statuses["Completed"])]
    write_json(os.path.join(out, "pods-wide.txt.facts.json"), wide_facts)

    print("fixtures: writing events.txt", file=sys.stderr)
    events_text, ev = events_table(pods, rng)
    write(os.path.join(out, "events.txt"), events_text)
    write_json(os.path.join(out, "events.txt.facts.json"), ev["facts"])

    print("fixtures: writing app.log", file=sys.stderr)
    log_text, log_facts = make_log(rng)
    write(os.path.join(out, "app.log"), log_text)
    write_json(os.path.join(out, "app.log.facts.json"), log_facts)

    manifest = [
        {"name": "pods JSON (10 000)", "file": "pods.json", "target_ratio": 20},
        {"name": "pods YAML (10 000)", "file": "pods.yaml", "target_ratio": 100},
        {"name": "get pods -A -o wide", "file": "pods-wide.txt", "target_ratio": None},
        {"name": "get events -A", "file": "events.txt", "target_ratio": None},
        {"name": "log 40 MB", "file": "app.log", "target_ratio": 20},
    ]
    for m in manifest:
        m["facts"] = m["file"] + ".facts.json"
        m["bytes"] = os.path.getsize(os.path.join(out, m["file"]))
    write_json(manifest_path, manifest)
    write(stamp, stamp_value + "\n")
    for m in manifest:
        with open(os.path.join(out, m["facts"])) as f:
            n = len(json.load(f))
        print(f"fixtures: {m['file']:<14} {m['bytes'] / 1e6:7.1f} MB  {n:3d} facts", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
