#!/bin/sh
# /etc/network/if-pre-up.d/firewall
IPT=/usr/sbin/iptables
$IPT -P INPUT DROP
$IPT -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
$IPT -A INPUT -p tcp --dport ssh -j ACCEPT
$IPT -A INPUT -p tcp --dport ntp -j ACCEPT
$IPT -A INPUT -p udp --dport "$SYSLOG_PORT" -j ACCEPT
