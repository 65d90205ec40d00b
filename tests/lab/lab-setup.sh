#!/bin/bash
# Builds the NAT lab: two homes behind NAT routers on a shared "internet"
# (a bridge in PREFIX-pub, where the relay lives at 203.0.113.1). Needs
# root, iproute2 and iptables; touches nothing outside its namespaces.
#
#   PREFIX-home1 192.168.1.10 -- PREFIX-nat1 [192.168.1.1 | 203.0.113.11] --+
#                                                                           +- br0 in PREFIX-pub
#   PREFIX-home2 192.168.2.10 -- PREFIX-nat2 [192.168.2.1 | 203.0.113.12] --+  203.0.113.1 = TURN
#
# usage: lab-setup.sh PREFIX NAT1 NAT2 [block-udp]
#   NAT = cone       MASQUERADE: one external port per internal socket
#                    (endpoint-independent mapping, port-restricted filtering)
#   NAT = symmetric  MASQUERADE --random-fully: a new port per destination
#   block-udp        both routers drop all UDP from their home: only TCP
#                    (TURN over TCP) gets out, as behind a strict firewall
set -euo pipefail

P=$1
NAT1=$2
NAT2=$3
BLOCK=${4:-}
ns () { ip netns exec "$@"; }

for n in pub nat1 nat2 home1 home2; do
  ip netns add "$P-$n"
  ns "$P-$n" ip link set lo up
done

# The "internet": a bridge; the relay owns 203.0.113.1.
ns "$P-pub" ip link add br0 type bridge
ns "$P-pub" ip addr add 203.0.113.1/24 dev br0
ns "$P-pub" ip link set br0 up

# coturn drops a whole allocation when relaying to one peer address fails
# locally (ENETUNREACH for a private host candidate). The real internet
# always has a route, so this one gets a default route into a black hole:
# a veth whose far end never answers, and a made-up neighbour.
ns "$P-pub" ip link add void0 type veth peer name void1
ns "$P-pub" ip link set void0 up
ns "$P-pub" ip link set void1 up
ns "$P-pub" ip addr add 10.255.255.1/30 dev void0
ns "$P-pub" ip neigh add 10.255.255.2 lladdr 02:00:00:00:00:02 dev void0 nud permanent
ns "$P-pub" ip route add default via 10.255.255.2

for i in 1 2; do
  if [ "$i" = 1 ]; then mode=$NAT1; else mode=$NAT2; fi
  nat="$P-nat$i"
  home="$P-home$i"

  # WAN: nat<i>:wan <-> pub:up<i>, on the bridge
  ip link add wan netns "$nat" type veth peer name "up$i" netns "$P-pub"
  ns "$nat" ip addr add "203.0.113.1$i/24" dev wan
  ns "$nat" ip link set wan up
  ns "$P-pub" ip link set "up$i" master br0
  ns "$P-pub" ip link set "up$i" up

  # LAN: nat<i>:lan <-> home<i>:eth0
  ip link add lan netns "$nat" type veth peer name eth0 netns "$home"
  ns "$nat" ip addr add "192.168.$i.1/24" dev lan
  ns "$nat" ip link set lan up
  ns "$home" ip addr add "192.168.$i.10/24" dev eth0
  ns "$home" ip link set eth0 up
  ns "$home" ip route add default via "192.168.$i.1"

  ns "$nat" sysctl -qw net.ipv4.ip_forward=1
  ns "$nat" ip route add default via 203.0.113.1
  case "$mode" in
    cone)      ns "$nat" iptables -t nat -A POSTROUTING -o wan -j MASQUERADE ;;
    symmetric) ns "$nat" iptables -t nat -A POSTROUTING -o wan -j MASQUERADE --random-fully ;;
    *) echo "lab-setup.sh: unknown NAT type '$mode' (cone or symmetric)" >&2; exit 2 ;;
  esac

  # A stateful firewall: nothing unsolicited from the WAN. Dropping new
  # inbound packets to the router itself matters: otherwise the partner's
  # early check creates a confirmed conntrack entry, our own outgoing
  # check then clashes with it, MASQUERADE picks another port, and the
  # "cone" NAT behaves like a symmetric one.
  ns "$nat" iptables -A INPUT -i wan -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
  ns "$nat" iptables -A INPUT -i wan -j DROP
  ns "$nat" iptables -A FORWARD -i wan -o lan -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
  ns "$nat" iptables -A FORWARD -i wan -o lan -j DROP

  if [ "$BLOCK" = block-udp ]; then
    ns "$nat" iptables -I FORWARD -i lan -p udp -j DROP
  fi

  echo "nat$i: $mode${BLOCK:+, $BLOCK}"
done
