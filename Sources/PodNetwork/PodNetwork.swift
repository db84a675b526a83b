// Pod networking: CNI/ (the CNI client: network config, plugin chain, kept attachments, pinned
// network namespaces) and NameResolution/ (the kubelet's /etc/hosts and /etc/resolv.conf).
