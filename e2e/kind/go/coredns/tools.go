//go:build tools

// Package coredns pins CoreDNS at the version kubeadm v1.33 deploys (constants.CoreDNSVersion).
package coredns

import _ "github.com/coredns/coredns"
