/**
 * AMQP topic matching: a routing key is words separated by dots; in a binding key `*` stands
 * for exactly one word and `#` for zero or more. The memory broker uses this to route exactly
 * as RabbitMQ's topic exchange does.
 */
export type TopicMatcher = (routingKey: string) => boolean;

const cache = new Map<string, TopicMatcher>();

export function topicMatcher(bindingKey: string): TopicMatcher {
  let m = cache.get(bindingKey);
  if (m) return m;
  m = compile(bindingKey);
  if (cache.size > 10_000) cache.clear(); // binding keys are few; this only guards against misuse
  cache.set(bindingKey, m);
  return m;
}

export function topicMatches(bindingKey: string, routingKey: string): boolean {
  return topicMatcher(bindingKey)(routingKey);
}

function words(key: string): string[] {
  return key === "" ? [] : key.split(".");
}

function compile(bindingKey: string): TopicMatcher {
  if (bindingKey === "#") return () => true;
  const pattern = words(bindingKey);
  if (!pattern.includes("#") && !pattern.includes("*")) return (key) => key === bindingKey;
  if (!pattern.includes("#")) {
    return (key) => {
      const ws = words(key);
      if (ws.length !== pattern.length) return false;
      for (let i = 0; i < ws.length; i++) if (pattern[i] !== "*" && pattern[i] !== ws[i]) return false;
      return true;
    };
  }
  return (key) => matchFrom(pattern, 0, words(key), 0);
}

function matchFrom(p: string[], pi: number, w: string[], wi: number): boolean {
  while (pi < p.length) {
    const tok = p[pi];
    if (tok === "#") {
      // Collapse runs of "#", then try every split point for what "#" swallows.
      while (pi + 1 < p.length && p[pi + 1] === "#") pi++;
      if (pi === p.length - 1) return true;
      for (let k = wi; k <= w.length; k++) if (matchFrom(p, pi + 1, w, k)) return true;
      return false;
    }
    if (wi >= w.length) return false;
    if (tok !== "*" && tok !== w[wi]) return false;
    pi++;
    wi++;
  }
  return wi === w.length;
}

/** A routing-key word: dots would split it into two words, so they become underscores. */
export function keyWord(s: string): string {
  return s.includes(".") ? s.replaceAll(".", "_") : s;
}
