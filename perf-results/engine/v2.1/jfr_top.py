import sys, re, collections
# parse `jfr print --events jdk.ExecutionSample --stack-depth N` output
text = open(sys.argv[1]).read()
filt = sys.argv[2] if len(sys.argv) > 2 else None
events = text.split("jdk.ExecutionSample")
top = collections.Counter(); incl = collections.Counter(); lines = collections.Counter()
n = 0
for e in events:
    frames = re.findall(r'^\s+([\w.$<>]+)\(.*?\)\s+line:\s+(\d+)', e, re.M)
    if not frames: continue
    if filt and not any(filt in f for f, _ in frames): continue
    n += 1
    top[frames[0][0]] += 1
    lines[frames[0][0] + ":" + frames[0][1]] += 1
    for f in set(f for f, _ in frames): incl[f] += 1
print("samples", n)
print("--- self"); [print(f"{c/n*100:5.1f}% {m}") for m, c in top.most_common(25)]
print("--- self lines"); [print(f"{c/n*100:5.1f}% {m}") for m, c in lines.most_common(25)]
print("--- inclusive"); [print(f"{c/n*100:5.1f}% {m}") for m, c in incl.most_common(40)]
