/** An image a workload names, and the JSON pointer of its `image` field. */
export interface PodImage {
  image: string;
  /** RFC 6901 pointer into the admitted object (for a JSONPatch). */
  path: string;
}

const CONTAINER_LISTS = [
  'containers',
  'initContainers',
  'ephemeralContainers',
] as const;

/** Where the pod spec sits in each workload kind. */
const POD_SPEC_PATH: Record<string, string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** The kinds whose images are judged. */
export const WORKLOAD_KINDS = Object.keys(POD_SPEC_PATH);

/**
 * Every image of a workload object: containers, init containers and
 * ephemeral containers of its pod spec. Unknown kinds have none.
 */
export function podImages(kind: string, object: unknown): PodImage[] {
  const at = POD_SPEC_PATH[kind];
  if (!at) return [];
  let spec: unknown = object;
  for (const key of at)
    spec = (spec as Record<string, unknown> | undefined)?.[key];
  if (typeof spec !== 'object' || spec === null) return [];
  const base = `/${at.join('/')}`;
  return CONTAINER_LISTS.flatMap((list) => {
    const containers = (spec as Record<string, unknown>)[list];
    if (!Array.isArray(containers)) return [];
    return containers.flatMap((c: unknown, i) => {
      const image = (c as { image?: unknown } | null)?.image;
      return typeof image === 'string' && image.length > 0
        ? [{ image, path: `${base}/${list}/${i}/image` }]
        : [];
    });
  });
}
