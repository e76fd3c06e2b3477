/// Fake secrets built at run time (so no secret-shaped literal sits in the repository) and the corpora that use them.
enum RedactorCorpus {
    /// A deterministic pseudo-random string of `length` characters from `alphabet`.
    static func fake(_ alphabet: String, _ length: Int, seed: UInt64) -> String {
        let characters = Array(alphabet)
        var state = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        var out = ""
        for _ in 0..<length {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            out.append(characters[Int((state >> 33) % UInt64(characters.count))])
        }
        return out
    }

    static let upperDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    static let alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    static let base64 = alnum + "+/"
    static let base64URL = alnum + "-_"
    static let hex = "0123456789abcdef"

    /// A JWT-shaped token (header `{"alg":"RS256"…`, payload, signature).
    static func jwt(seed: UInt64) -> String {
        "eyJhbGciOiJSUzI1NiIsImtpZCI6Ik" + fake(base64URL, 20, seed: seed) + ".eyJpc3MiOiJrdWJlcm5ldGVzL3Nl"
            + fake(base64URL, 60, seed: seed + 1) + "." + fake(base64URL, 86, seed: seed + 2)
    }

    /// A PEM block with `label`, indented by `indent` spaces per line.
    static func pem(_ label: String, seed: UInt64, indent: String = "", separator: String = "\n") -> String {
        var lines = ["-----BEGIN \(label)-----"]
        for line in 0..<6 { lines.append(fake(base64, 64, seed: seed + UInt64(line))) }
        lines.append(fake(base64, 20, seed: seed + 9) + "==")
        lines.append("-----END \(label)-----")
        return lines.map { indent + $0 }.joined(separator: separator).dropFirst(indent.count).description
    }

    /// One positive sample: a text, the secret inside it, and the kind it must be reported as.
    struct Sample: CustomStringConvertible, Sendable {
        let name: String
        let text: String
        let secrets: [String]
        let kind: String
        var description: String { name }
    }

    static let positives: [Sample] = {
        var samples: [Sample] = []
        func add(_ name: String, _ kind: String, _ secrets: [String], _ text: String) {
            samples.append(Sample(name: name, text: text, secrets: secrets, kind: kind))
        }
        let aws = "AKIA" + fake(upperDigits, 16, seed: 1)
        add("aws access key in env", "aws-access-key", [aws], "export AWS_ACCESS_KEY_ID=\(aws)\n")
        let awsSTS = "ASIA" + fake(upperDigits, 16, seed: 2)
        add("aws temporary key in log", "aws-access-key", [awsSTS], "2024-05-01T10:00:00Z using credentials \(awsSTS) for s3\n")
        let awsSecret = fake(base64, 40, seed: 3)
        add("aws secret key in credentials file", "aws-secret-key", [awsSecret],
            "[default]\naws_access_key_id = \(aws)\naws_secret_access_key = \(awsSecret)\n")
        let awsSecret2 = fake(base64, 40, seed: 4)
        add("aws secret key in pod env yaml", "aws-secret-key", [awsSecret2],
            "    env:\n    - name: AWS_SECRET_ACCESS_KEY\n      value: \(awsSecret2)\n    - name: REGION\n      value: eu-west-1\n")
        let ghp = "ghp_" + fake(alnum, 36, seed: 5)
        add("github classic token", "github-token", [ghp], "git clone https://\(ghp)@github.com/org/repo.git\n")
        let pat = "github_pat_" + fake(alnum, 22, seed: 6) + "_" + fake(alnum, 59, seed: 7)
        add("github fine-grained token", "github-token", [pat], "error: bad credentials for \(pat)\n")
        let gho = "gho_" + fake(alnum, 36, seed: 8)
        add("github oauth token", "github-token", [gho], "oauth: \(gho)\n")
        let glpat = "glpat-" + fake(base64URL, 20, seed: 9)
        add("gitlab token", "gitlab-token", [glpat], "CI_JOB_AUTH \(glpat) rejected\n")
        let slack = "xoxb-" + fake("0123456789", 12, seed: 10) + "-" + fake("0123456789", 13, seed: 11) + "-"
            + fake(alnum, 24, seed: 12)
        add("slack bot token", "slack-token", [slack], "posting to slack with \(slack)\n")
        let slackUser = "xoxp-" + fake("0123456789", 12, seed: 13) + "-" + fake(alnum, 32, seed: 14)
        add("slack user token", "slack-token", [slackUser], "{\"slack\": \"\(slackUser)\"}\n")
        let openai = "sk-proj-" + fake(base64URL, 48, seed: 15)
        add("openai project key", "openai-api-key", [openai], "Incorrect API key provided: \(openai).\n")
        let openaiLegacy = "sk-" + fake(alnum, 48, seed: 16)
        add("openai legacy key", "openai-api-key", [openaiLegacy], "client = OpenAI(\(openaiLegacy))\n")
        let anthropic = "sk-ant-api03-" + fake(base64URL, 93, seed: 17) + "AA"
        add("anthropic key", "anthropic-api-key", [anthropic], "x-api-header \(anthropic)\n")
        let google = "AIza" + fake(base64URL, 35, seed: 18)
        add("google api key in url", "google-api-key", [google],
            "GET https://generativelanguage.googleapis.com/v1/models?alt=json&k=\(google) 403\n")
        let jwt1 = jwt(seed: 19)
        add("jwt in a log line", "jwt", [jwt1], "I0501 10:00:00.000 auth.go:42] got id token \(jwt1) for user\n")
        let bearer = fake(base64URL, 32, seed: 20)
        add("bearer header", "bearer-token", [bearer], "curl -H 'Authorization: Bearer \(bearer)' https://10.0.0.1:6443/api\n")
        let bearerJWT = jwt(seed: 21)
        add("bearer jwt", "bearer-token", [bearerJWT], "Authorization: Bearer \(bearerJWT)\n")
        let basic = fake(base64, 28, seed: 22) + "=="
        add("basic auth header", "basic-auth", [basic], "Authorization: Basic \(basic)\n")
        let kubeToken = fake(base64URL, 52, seed: 23)
        add("kubeconfig user token", "token", [kubeToken],
            "users:\n- name: admin\n  user:\n    token: \(kubeToken)\n")
        let clientKey = "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo" + fake(base64, 200, seed: 24) + "="
        add("kubeconfig client key data", "kubeconfig-client-key", [clientKey],
            "users:\n- name: kind-kind\n  user:\n    client-certificate-data: LS0tQ0VSVA\n    client-key-data: \(clientKey)\n")
        let clientCert = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSU" + fake(base64, 120, seed: 25)
        add("kubeconfig client certificate data", "kubeconfig-client-certificate", [clientCert],
            "  user:\n    client-certificate-data: \(clientCert)\n")
        let rsa = pem("RSA PRIVATE KEY", seed: 26)
        add("pem private key", "private-key", [rsa], "key.pem contents:\n\(rsa)\nend of file\n")
        let cert = pem("CERTIFICATE", seed: 34, indent: "    ")
        add("pem certificate in configmap yaml", "certificate", [cert], "data:\n  ca.crt: |\n    \(cert)\n")
        let gcpKey = pem("PRIVATE KEY", seed: 42, separator: "\\n")
        add("gcp service account json", "private-key", [gcpKey],
            "{\n  \"type\": \"service_account\",\n  \"project_id\": \"demo\",\n  \"private_key_id\": \"0a1b2c\",\n  \"private_key\": \"\(gcpKey)\\n\",\n  \"client_email\": \"sa@demo.iam.gserviceaccount.com\"\n}\n")
        let azureKey = fake(base64, 86, seed: 50) + "=="
        add("azure storage connection string", "azure-connection-string", [azureKey],
            "AZURE_STORAGE=DefaultEndpointsProtocol=https;AccountName=demo;AccountKey=\(azureKey);EndpointSuffix=core.windows.net\n")
        let sas = fake(base64, 43, seed: 51) + "="
        add("azure service bus connection string", "azure-connection-string", [sas],
            "Endpoint=sb://demo.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=\(sas)\n")
        add("secret yaml data", "secret-data", ["YWRtaW4=", "czNjcjN0"],
            "apiVersion: v1\ndata:\n  username: YWRtaW4=\n  pw: czNjcjN0\nkind: Secret\nmetadata:\n  name: db\n  namespace: default\ntype: Opaque\n")
        add("secret json data", "secret-data", ["cm9vdA==", "aHVudGVyMg=="],
            "{\n    \"apiVersion\": \"v1\",\n    \"data\": {\n        \"user\": \"cm9vdA==\",\n        \"pw\": \"aHVudGVyMg==\"\n    },\n    \"kind\": \"Secret\",\n    \"metadata\": {\n        \"name\": \"db\"\n    }\n}\n")
        add("secret stringData yaml", "secret-data", ["plain-text-value", "another one"],
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\nstringData:\n  config: plain-text-value\n  note: \"another one\"\n")
        add("secret in a list", "secret-data", ["Zm9vYmFy"],
            "apiVersion: v1\nitems:\n- apiVersion: v1\n  data:\n    ca.crt: \"\"\n  kind: ConfigMap\n  metadata:\n    name: cm\n- apiVersion: v1\n  data:\n    anything: Zm9vYmFy\n  kind: Secret\n  metadata:\n    name: s\nkind: List\n")
        add("secret block scalar in stringData", "secret-data", ["line one of the config", "line two"],
            "kind: Secret\nstringData:\n  app.conf: |\n    line one of the config\n    line two\nmetadata:\n  name: s\n")
        add("secret in last-applied annotation", "secret-data", ["bXlwYXNz"],
            "    kubectl.kubernetes.io/last-applied-configuration: |\n      {\"apiVersion\":\"v1\",\"data\":{\"anykey\":\"bXlwYXNz\"},\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"}}\n")
        add("secret in escaped last-applied annotation", "secret-data", ["cXdlcnR5"],
            "        \"kubectl.kubernetes.io/last-applied-configuration\": \"{\\\"apiVersion\\\":\\\"v1\\\",\\\"data\\\":{\\\"k\\\":\\\"cXdlcnR5\\\"},\\\"kind\\\":\\\"Secret\\\"}\\n\"\n")
        add("password env assignment", "password", ["hunter2!"], "DB_PASSWORD=hunter2! ./run.sh\n")
        add("api key in dotenv", "api-key", ["k3y-value-42"], "API_KEY=k3y-value-42\nDEBUG=true\n")
        add("apiKey in yaml config", "api-key", ["abc123def456"], "provider:\n  apiKey: abc123def456\n  region: us\n")
        add("client secret in json", "secret", ["s3cr3t-Value"], "{\"client_id\": \"app\", \"client_secret\": \"s3cr3t-Value\"}\n")
        let describeToken = jwt(seed: 60)
        add("describe secret token", "token", [describeToken],
            "Name:         default-token-x2x4z\nType:  kubernetes.io/service-account-token\n\nData\n====\nca.crt:     1099 bytes\nnamespace:  7 bytes\ntoken:      \(describeToken)\n")
        add("password flag", "password", ["Tr0ub4dor"], "mysql --user=root --password=Tr0ub4dor -h db\n")
        add("from-literal password", "password", ["s3cr3t99"],
            "kubectl create secret generic db --from-literal=password=s3cr3t99 --from-literal=user=admin\n")
        let accessToken = fake(alnum, 30, seed: 61)
        add("token in url query", "token", [accessToken], "GET /callback?code=ok&access_token=\(accessToken)&state=1\n")
        let blob = fake(base64, 64, seed: 62)
        add("high-entropy base64 blob", "high-entropy-base64", [blob], "blob \(blob) end\n")
        let hexBlob = fake(hex, 96, seed: 63)
        add("high-entropy hex blob", "high-entropy-hex", [hexBlob], "signing key \(hexBlob)\n")
        add("secret block scalar in config", "secret", ["first secret line", "second secret line"],
            "config:\n  webhookSecret: |\n    first secret line\n    second secret line\n  other: visible\n")
        let ghToken = "ghs_" + fake(alnum, 36, seed: 64)
        add("token env in pretty json", "github-token", [ghToken],
            "{\n    \"env\": [\n        {\n            \"name\": \"GITHUB_TOKEN\",\n            \"value\": \"\(ghToken)\"\n        }\n    ]\n}\n")
        add("token env value in pretty json", "token", ["plainvalue1"],
            "{\n    \"env\": [\n        {\n            \"name\": \"SERVICE_TOKEN\",\n            \"value\": \"plainvalue1\"\n        }\n    ]\n}\n")
        add("quoted password with spaces in helm values", "password", ["p@ss w0rd"], "auth:\n  password: \"p@ss w0rd\"\n")
        add("mysql root password in configmap", "password", ["changeme"], "data:\n  MYSQL_ROOT_PASSWORD: changeme\n")
        add("pgpassword quoted", "password", ["s0me'thing"], "PGPASSWORD=\"s0me'thing\" psql\n")
        let truncated = "-----BEGIN OPENSSH PRIVATE KEY-----\n" + fake(base64, 70, seed: 65) + "\n" + fake(base64, 70, seed: 66)
        add("pem private key cut off", "private-key", [fake(base64, 70, seed: 65), fake(base64, 70, seed: 66)],
            truncated + "\n")
        add("secret in prose with a digit", "token", ["abc123xyz"], "login failed, token: abc123xyz was rejected\n")
        return samples
    }()

    /// Ordinary kubectl output that contains no secret.
    static let negatives: [(name: String, text: String)] = [
        ("get pods", """
        NAME                                      READY   STATUS             RESTARTS        AGE
        nginx-deployment-66b6c48dd5-4jtkz         1/1     Running            0               3d2h
        coredns-5d78c9869d-x2x4z                  1/1     Running            2 (5h ago)      12d
        api-7f9c8b6d5-qwert                       0/1     CrashLoopBackOff   17 (2m ago)     1h
        sk-learn-worker-6c9f7d8b4-abcde           1/1     Running            0               4m
        token-refresher-5b7c9d-zz9kx              1/1     Running            0               9d

        """),
        ("get pods wide", """
        NAME                          READY   STATUS    RESTARTS   AGE   IP            NODE                          NOMINATED NODE   READINESS GATES
        web-0                         1/1     Running   0          10d   10.244.1.17   ip-10-0-1-23.ec2.internal     <none>           <none>
        secret-sync-7d4b9c-8hx2m      1/1     Running   0          1d    10.244.2.5    aks-nodepool1-12345678-vmss000000   <none>   <none>

        """),
        ("get secrets table", """
        NAME                  TYPE                                  DATA   AGE
        default-token-abcde   kubernetes.io/service-account-token   3      5d
        db-password           Opaque                                2      1d
        registry-creds        kubernetes.io/dockerconfigjson        1      30d

        """),
        ("describe pod", """
        Name:             api-7f9c8b6d5-qwert
        Namespace:        default
        Node:             kind-worker/172.18.0.3
        Labels:           app=api
                          pod-template-hash=7f9c8b6d5
        Annotations:      kubectl.kubernetes.io/restartedAt: 2024-05-01T10:00:00Z
        Status:           Running
        IP:               10.244.1.9
        Controlled By:    ReplicaSet/api-7f9c8b6d5
        Containers:
          api:
            Container ID:   containerd://4f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a3928171615141312111009080706
            Image:          registry.example.com/team/api:3f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39
            Image ID:       registry.example.com/team/api@sha256:9b2a6f1e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29181716151413121110fedc
            Port:           8080/TCP
            State:          Running
              Started:      Wed, 01 May 2024 10:00:00 +0000
            Environment:
              DB_PASSWORD:   <set to the key 'password' in secret 'db'>  Optional: false
              API_TOKEN:     <set to the key 'token' in secret 'api'>    Optional: false
              LOG_LEVEL:     info
            Mounts:
              /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-9xk2p (ro)
        Volumes:
          db-secret:
            Type:        Secret (a volume populated by a Secret)
            SecretName:  db-secret
            Optional:    false
          kube-api-access-9xk2p:
            Type:                    Projected (a volume that contains injected data from multiple sources)
            TokenExpirationSeconds:  3607
            ConfigMapName:           kube-root-ca.crt
        Events:
          Type     Reason     Age   From               Message
          ----     ------     ----  ----               -------
          Normal   Scheduled  1m    default-scheduler  Successfully assigned default/api-7f9c8b6d5-qwert to kind-worker
          Warning  Failed     1m    kubelet            Error: secret "db" not found

        """),
        ("pod yaml", """
        apiVersion: v1
        kind: Pod
        metadata:
          creationTimestamp: "2024-05-01T10:00:00Z"
          generateName: api-7f9c8b6d5-
          labels:
            app: api
            pod-template-hash: 7f9c8b6d5
          name: api-7f9c8b6d5-qwert
          namespace: default
          ownerReferences:
          - apiVersion: apps/v1
            blockOwnerDeletion: true
            controller: true
            kind: ReplicaSet
            name: api-7f9c8b6d5
            uid: 6a1f3c2e-9b8d-4e7f-a6c5-b4d3e2f1a0b9
          resourceVersion: "123456789"
          uid: 0e4c8f5a-1d2b-4c3e-9f8a-7b6c5d4e3f2a
        spec:
          automountServiceAccountToken: true
          containers:
          - env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  key: password
                  name: db-secret
            - name: MODE
              value: production
            image: registry.example.com/team/api@sha256:9b2a6f1e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29181716151413121110fedc
            imagePullPolicy: IfNotPresent
            name: api
            envFrom:
            - secretRef:
                name: api-secrets
          imagePullSecrets:
          - name: registry-creds
          serviceAccountName: api
          volumes:
          - name: db-secret
            secret:
              defaultMode: 420
              secretName: db-secret
          - name: kube-api-access-9xk2p
            projected:
              sources:
              - serviceAccountToken:
                  expirationSeconds: 3607
                  path: token
        status:
          containerStatuses:
          - containerID: containerd://4f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a3928171615141312111009080706
            imageID: registry.example.com/team/api@sha256:9b2a6f1e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29181716151413121110fedc
            ready: true
            restartCount: 0
          hostIP: 172.18.0.3
          podIP: 10.244.1.9
          podIPs:
          - ip: 10.244.1.9
          - ip: fd00:10:244:1::9
          phase: Running

        """),
        ("configmap yaml", """
        apiVersion: v1
        data:
          LOG_LEVEL: debug
          feature-flags: "a=true,b=false"
          app.properties: |
            server.port=8080
            cache.size=256
        kind: ConfigMap
        metadata:
          annotations:
            kubectl.kubernetes.io/last-applied-configuration: |
              {"apiVersion":"v1","data":{"LOG_LEVEL":"debug"},"kind":"ConfigMap","metadata":{"name":"cfg"}}
          name: cfg
          namespace: default
          resourceVersion: "998877"
          uid: 3c2b1a09-8f7e-4d6c-b5a4-392817161514

        """),
        ("deployment json", """
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "annotations": {
                    "deployment.kubernetes.io/revision": "7"
                },
                "generation": 9,
                "labels": {
                    "app.kubernetes.io/managed-by": "Helm",
                    "app.kubernetes.io/name": "secret-manager",
                    "helm.sh/chart": "secret-manager-1.2.3"
                },
                "name": "secret-manager",
                "resourceVersion": "55123",
                "uid": "9f8e7d6c-5b4a-4392-8171-615141312111"
            },
            "spec": {
                "replicas": 3,
                "template": {
                    "spec": {
                        "containers": [
                            {
                                "env": [
                                    {
                                        "name": "TOKEN_FILE",
                                        "value": "/var/run/secrets/tokens/vault"
                                    }
                                ],
                                "image": "ghcr.io/example/secret-manager:v1.2.3"
                            }
                        ],
                        "serviceAccountName": "secret-manager"
                    }
                }
            }
        }

        """),
        ("events", """
        LAST SEEN   TYPE      REASON              OBJECT                            MESSAGE
        2m          Normal    Pulled              pod/web-0                         Successfully pulled image "nginx:1.25.3" in 2.1s (2.1s including waiting)
        2m          Warning   FailedMount         pod/api-7f9c8b6d5-qwert           MountVolume.SetUp failed for volume "db-secret" : secret "db-secret" not found
        5m          Normal    ScalingReplicaSet   deployment/api                    Scaled up replica set api-7f9c8b6d5 to 3
        10m         Warning   BackOff             pod/api-7f9c8b6d5-qwert           Back-off restarting failed container api in pod api-7f9c8b6d5-qwert_default(6a1f3c2e-9b8d-4e7f-a6c5-b4d3e2f1a0b9)

        """),
        ("nodes wide", """
        NAME                 STATUS   ROLES           AGE   VERSION   INTERNAL-IP   EXTERNAL-IP   OS-IMAGE                         KERNEL-VERSION     CONTAINER-RUNTIME
        kind-control-plane   Ready    control-plane   30d   v1.29.2   172.18.0.2    <none>        Debian GNU/Linux 12 (bookworm)   6.1.0-18-amd64     containerd://1.7.13

        """),
        ("logs", """
        2024-05-01T10:00:00.123456789Z INFO  starting server version=1.2.3 commit=3f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39
        2024-05-01T10:00:01.000000000Z INFO  loaded 12 secrets from namespace default
        2024-05-01T10:00:02.000000000Z WARN  token refresh took 1.5s; retrying
        2024-05-01T10:00:03.000000000Z ERROR request failed: GET https://10.96.0.1:443/api/v1/namespaces/default/pods?limit=500 status=403
        2024-05-01T10:00:04.000000000Z INFO  trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7
        I0501 10:00:05.000000       1 leaderelection.go:250] attempting to acquire leader lease kube-system/kube-controller-manager...
        E0501 10:00:06.000000       1 reflector.go:147] k8s.io/client-go/informers/factory.go:159: Failed to watch *v1.Secret: unknown

        """),
        ("describe serviceaccount", """
        Name:                default
        Namespace:           default
        Labels:              <none>
        Annotations:         <none>
        Image pull secrets:  <none>
        Mountable secrets:   <none>
        Tokens:              <none>
        Events:              <none>

        """),
        ("version and misc", """
        Client Version: v1.29.2
        Kustomize Version: v5.0.4-0.20230601165947-6ce0bf390ce3
        Server Version: v1.29.2
        clusterrole.rbac.authorization.k8s.io/secret-reader created
        secret/db-password created
        serviceaccount/token-bot configured
        pod/web-0 condition met
        NAME         ENDPOINTS                                      AGE
        kubernetes   172.18.0.2:6443                                30d
        web          10.244.1.17:8080,10.244.2.5:8080,10.244.3.9:8080   10d
        NAME    CPU(cores)   MEMORY(bytes)
        web-0   3m           12Mi

        """),
        ("kubeconfig without secrets", """
        apiVersion: v1
        clusters:
        - cluster:
            server: https://127.0.0.1:6443
          name: kind-kind
        contexts:
        - context:
            cluster: kind-kind
            user: kind-kind
          name: kind-kind
        current-context: kind-kind
        kind: Config
        users:
        - name: kind-kind
          user:
            client-certificate-data: DATA+OMITTED
            client-key-data: REDACTED
            token: REDACTED

        """),
    ]
}
