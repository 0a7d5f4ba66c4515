import yaml, os, collections, sys
here = os.path.dirname(os.path.abspath(__file__))
cases = yaml.safe_load(open(os.path.join(here, 'questions.yaml'), encoding='utf-8'))
errs = []
assert isinstance(cases, list)
if len(cases) != 60: errs.append(f"count {len(cases)}")
ids = [c['id'] for c in cases]
if len(set(ids)) != len(ids): errs.append("duplicate ids")
docs = {f: open(os.path.join(here, 'essays', f), encoding='utf-8').read() for f in os.listdir(os.path.join(here, 'essays'))}
for c in cases:
    for k in ('id','question','kind','sources','gold_quotes','answer_keywords'):
        if k not in c: errs.append(f"{c.get('id')} missing {k}")
    if c['kind'] in ('near-miss','out-of-scope'):
        if c['sources'] or c['gold_quotes'] or c['answer_keywords']:
            errs.append(f"{c['id']} should be empty")
        continue
    if not c['sources'] or not c['gold_quotes'] or not c['answer_keywords']:
        errs.append(f"{c['id']} empty fields"); continue
    if not 1 <= len(c['answer_keywords']) <= 3: errs.append(f"{c['id']} kw count")
    for s in c['sources']:
        if s not in docs: errs.append(f"{c['id']} unknown source {s}")
    for q in c['gold_quotes']:
        if not any(q in docs[s] for s in c['sources'] if s in docs):
            errs.append(f"{c['id']} quote not found: {q[:50]}")
    for kw in c['answer_keywords']:
        if not any(kw.lower() in q.lower() for q in c['gold_quotes']):
            errs.append(f"{c['id']} keyword not in quote: {kw}")
print(collections.Counter(c['kind'] for c in cases))
print(collections.Counter(s for c in cases for s in c['sources']))
print({f: len(t.split()) for f, t in docs.items()}, sum(len(t.split()) for t in docs.values()))
print("ERRORS:", errs if errs else "none")
