#!/usr/bin/env bash
# The layout's figures for a built tree (target/classes and the library jar present): packages, public types, lines
# in the library and the service, the largest classes, and package cycles (jdeps). Usage: docs/layout-stats.sh [DIR]
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"
python3 - <<'PY'
import os,re,subprocess,collections
src='src/main/java'
pkgs=collections.Counter(); pub=0; api=0; lines={}
for dp,_,fs in os.walk(src):
    for f in fs:
        if not f.endswith('.java') or f=='package-info.java': continue
        p=os.path.join(dp,f); s=open(p).read()
        pkg=os.path.relpath(dp,src).replace('/','.')
        pkgs[pkg]+=1
        if re.search(r'^public (final |abstract |sealed )*(class|interface|record|enum) ',s,re.M):
            pub+=1
            if '.internal' not in pkg and '.service' not in pkg: api+=1
        lines[p]=s.count('\n')
lib=[p for p in lines if '/service/' not in p]; svc=[p for p in lines if '/service/' in p]
print('packages (main):',len(pkgs), ' library:',len([k for k in pkgs if '.service' not in k]),' service:',len([k for k in pkgs if '.service' in k]))
print('public top-level types:',pub,' of them in API packages (neither internal nor service):',api)
print('lines: library',sum(lines[p] for p in lib),' service',sum(lines[p] for p in svc))
print('largest classes:',', '.join(f"{os.path.basename(p)[:-5]} {n}" for p,n in sorted(lines.items(),key=lambda x:-x[1])[:6]))
# package cycles via jdeps
out=subprocess.run(['jdeps','-verbose:package','-filter:none','target/classes'],capture_output=True,text=True).stdout
g=collections.defaultdict(set)
for l in out.split('\n'):
    m=re.match(r'\s+(dev\.temperstore[\w.]*)\s+->\s+(dev\.temperstore[\w.]*)\s',l)
    if m and m.group(1)!=m.group(2): g[m.group(1)].add(m.group(2))
# strongly connected components (Tarjan)
idx={};low={};st=[];on=set();sccs=[];c=[0]
import sys; sys.setrecursionlimit(10000)
def sc(v):
    idx[v]=low[v]=c[0];c[0]+=1;st.append(v);on.add(v)
    for w in g[v]:
        if w not in idx: sc(w);low[v]=min(low[v],low[w])
        elif w in on: low[v]=min(low[v],idx[w])
    if low[v]==idx[v]:
        comp=[]
        while True:
            w=st.pop();on.discard(w);comp.append(w)
            if w==v:break
        if len(comp)>1: sccs.append(sorted(comp))
for v in list(g):
    if v not in idx: sc(v)
print('package cycles (strongly connected groups):',len(sccs),[ [x.replace('dev.temperstore','') or '(root)' for x in s] for s in sccs])
PY
for jar in target/temper-store-*.jar; do
  [ -f "$jar" ] && echo "library jar: $(stat -c %s "$jar") bytes, $(unzip -l "$jar" | grep -c '\.class$') classes"
done
