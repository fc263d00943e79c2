# shellcheck shell=bash
# Certificates for the local cluster, made with openssl (what kubeadm/local-up-cluster would
# make with cfssl, which is not available here). Sourced by local-cluster.sh.

# pki_cert NAME CN [O] [EKU] [SAN]  — key + cert signed by the cluster CA (or $CA_NAME), unless present.
#   EKU: clientAuth | serverAuth | "serverAuth,clientAuth"; SAN: openssl subjectAltName value
pki_cert() {
  local name="$1" cn="$2" o="${3:-}" eku="${4:-clientAuth}" san="${5:-}" dir="$PKI" ca="${CA_NAME:-ca}"
  [[ -s "$dir/$name.crt" && -s "$dir/$name.key" ]] && return 0
  local subj="/CN=$cn"
  [[ -n "$o" ]] && subj="/O=$o$subj"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [[ -n "$san" ]] && echo "subjectAltName=$san"
  } >"$dir/$name.ext"
  [[ -s "$dir/$name.key" ]] || openssl genrsa -out "$dir/$name.key" 2048 2>/dev/null
  openssl req -new -key "$dir/$name.key" -subj "$subj" -out "$dir/$name.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/$ca.crt" -CAkey "$dir/$ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null
  rm -f "$dir/$name.csr" "$dir/$name.ext"
}

# RSA key generation dominated the time `up` spent here (seconds per key on a busy 2-core box).
# Keys are P-256 (milliseconds; Go, Java and busybox wget's TLS all handle ECDSA); RSA stays for
# the admin kubeconfig's client key (read by the Java tests' Fabric8 client) and the service
# account signing key (RS256, what every token consumer expects).
RSA_KEYS=" sa admin "
pki_keys() {
  local name
  for name in "$@"; do
    [[ -s "$PKI/$name.key" ]] && continue
    if [[ "$RSA_KEYS" == *" $name "* ]]; then
      openssl genrsa -out "$PKI/$name.key" 2048 2>/dev/null &
    else
      openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$PKI/$name.key" 2>/dev/null
    fi
  done
  wait
}

pki_init() {
  mkdir -p "$PKI"
  chmod 700 "$PKI"
  local n names=(ca sa front-proxy-ca front-proxy-client apiserver apiserver-kubelet-client admin
    controller-manager scheduler kube-proxy)
  for n in "${NODE_NAMES[@]}"; do names+=("kubelet-$n" "kubelet-$n-serving"); done
  pki_keys "${names[@]}"
  if [[ ! -s "$PKI/ca.crt" ]]; then
    openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=twinbuild-e2e-ca" -days 3650 -sha256 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
      -out "$PKI/ca.crt" 2>/dev/null
  fi
  # Service account tokens are signed by the apiserver and verified with the public half.
  if [[ ! -s "$PKI/sa.pub" ]]; then
    openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  fi
  # Front proxy CA: the apiserver tells aggregated APIs (and controller-manager/scheduler's
  # delegated authentication) which proxy identity to trust; without it they log errors forever.
  if [[ ! -s "$PKI/front-proxy-ca.crt" ]]; then
    openssl req -x509 -new -key "$PKI/front-proxy-ca.key" -subj "/CN=twinbuild-e2e-front-proxy-ca" -days 3650 -sha256 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
      -out "$PKI/front-proxy-ca.crt" 2>/dev/null
  fi
  CA_NAME=front-proxy-ca pki_cert front-proxy-client front-proxy-client
  pki_cert apiserver kube-apiserver "" serverAuth \
    "IP:$API_IP,IP:$SERVICE_API_IP,IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  # The apiserver's identity towards kubelets (logs, exec, port-forward).
  pki_cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
  pki_cert admin kubernetes-admin system:masters
  pki_cert controller-manager system:kube-controller-manager
  pki_cert scheduler system:kube-scheduler
  # Bound by default to the system:node-proxier ClusterRole.
  pki_cert kube-proxy system:kube-proxy
  local i
  for i in "${!NODE_NAMES[@]}"; do
    # CN/O are what the Node authorizer and NodeRestriction key on.
    pki_cert "kubelet-${NODE_NAMES[$i]}" "system:node:${NODE_NAMES[$i]}" system:nodes
    pki_cert "kubelet-${NODE_NAMES[$i]}-serving" "${NODE_NAMES[$i]}" "" serverAuth \
      "IP:${NODE_IPS[$i]},DNS:${NODE_NAMES[$i]}"
  done
}

# write_kubeconfig FILE USER_CERT_NAME SERVER
write_kubeconfig() {
  local file="$1" cert="$2" server="$3"
  mkdir -p "$(dirname "$file")"
  (umask 077 && write_file "$file") <<EOF
apiVersion: v1
kind: Config
clusters:
- name: twinbuild-e2e
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")
users:
- name: $cert
  user:
    client-certificate-data: $(base64 -w0 "$PKI/$cert.crt")
    client-key-data: $(base64 -w0 "$PKI/$cert.key")
contexts:
- name: twinbuild-e2e
  context:
    cluster: twinbuild-e2e
    user: $cert
current-context: twinbuild-e2e
EOF
}
