// The REST API's views (src/GoDocker.Core/Contracts), as the server serializes them (camelCase, nulls omitted).

export type JobState = "Pending" | "Scheduled" | "Running" | "Suspended" | "Succeeded" | "Failed" | "Killed" | "Rejected" | "Archived";

export const activeStates: JobState[] = ["Pending", "Scheduled", "Running", "Suspended"];
export const endedStates: JobState[] = ["Succeeded", "Failed", "Killed", "Rejected", "Archived"];
export const allStates: JobState[] = [...activeStates, ...endedStates];

export interface JobEvent {
  at: string;
  kind: string;
  message: string;
}

export interface JobView {
  id: number;
  name: string;
  owner: string;
  project: string;
  state: JobState;
  reason?: string;
  image: string;
  cpus: number;
  memoryBytes: number;
  walltimeSeconds?: number;
  script?: string;
  command?: string[];
  env?: Record<string, string>;
  workdir?: string;
  tags: string[];
  labels?: Record<string, string>;
  node?: string;
  attempt: number;
  exitCode?: number;
  endCause?: string;
  submittedAt: string;
  scheduledAt?: string;
  startedAt?: string;
  endedAt?: string;
  stopRequested?: string;
  gpus: number;
  constraints?: string[];
  dependency?: string;
  heldBy?: string;
  priorityAdjustment: number;
  arrayId?: number;
  taskId?: number;
  expectedStart?: string;
  requeue: boolean;
  /** Which moments are mailed ("END,FAIL") and to whom; only on GET /jobs/{id}. */
  mailType?: string;
  mailUser?: string;
  /** The job directory now; only on GET /jobs/{id}. */
  directory?: "present" | "archived" | "removed";
  /** The job runs with a terminal of its own (GET /jobs/{id}/attach). */
  interactive?: boolean;
  /** Where --stdout/--stderr sent the output (a file in a volume, expanded), instead of the job directory's. */
  stdout?: string;
  stderr?: string;
  events?: JobEvent[];
}

export interface JobList {
  items: JobView[];
  total: number;
  offset: number;
  limit: number;
}

export interface UserView {
  login: string;
  uid: number;
  gid: number;
  secondaryGids: number[];
  groups: string[];
  home: string;
  email?: string;
  admin: boolean;
  disabled: boolean;
  provider?: string;
  projects?: string[];
}

export interface SessionView {
  user: UserView;
  csrfToken: string;
  expiresAt?: string;
  authentication?: string;
}

export interface FileEntry {
  name: string;
  path: string;
  type: string;
  size: number;
  modifiedAt: string;
}

export interface NodeResources {
  cpus: number;
  memoryBytes: number;
  gpus: number;
}

export interface NodeView {
  name: string;
  executor: string;
  state: string;
  capacity: NodeResources;
  used: NodeResources;
  jobs: number;
  labels: Record<string, string>;
  drainedBy?: string;
  drainedAt?: string;
  error?: string;
  unreachableSince?: string;
  downSince?: string;
}

export interface ImagesView {
  default: string;
  allowed: string[];
  anyImageAllowed: boolean;
  rootAllowed: boolean;
}

export interface ProjectView {
  name: string;
  priority: number;
  members: string[];
  managers: string[];
}

export interface AccountLimitsView {
  kind?: string;
  name?: string;
  shares?: number;
  priority?: number;
  maxRunningJobs?: number;
  maxCpus?: number;
  maxMemory?: string;
  maxMemoryBytes?: number;
  maxGpus?: number;
  maxCpuHours?: number;
  maxPendingJobs?: number;
}

export interface AccountUsageView {
  kind: string;
  name: string;
  shares: number;
  priority: number;
  decayedCpuHours: number;
  decayedMemoryGibHours: number;
  decayedGpuHours: number;
  windowCpuHours: number;
  windowDays: number;
  runningJobs: number;
  runningCpus: number;
  runningMemoryBytes: number;
  runningGpus: number;
  pendingJobs: number;
  quota?: AccountLimitsView;
}

export interface PriorityFactorView {
  name: string;
  value: number;
  weight: number;
  contribution: number;
}

export interface PriorityView {
  jobId: number;
  policy: string;
  priority: number;
  position: number;
  pending: number;
  factors: PriorityFactorView[];
  expectedStart?: string;
  reason?: string;
}

export interface ArrayView {
  arrayId: number;
  name: string;
  owner: string;
  tasks: number;
  byState: Record<string, number>;
  items: JobView[];
}

export interface UsageSummaryView {
  attempt: number;
  cpuSeconds: number;
  averageCpu?: number;
  maxRssBytes: number;
  maxPids: number;
  blockReadBytes: number;
  blockWriteBytes: number;
  networkReceivedBytes: number;
  networkSentBytes: number;
  samples: number;
  lastSampleAt: string;
}

export interface LiveUsageView {
  at: string;
  cpuCores?: number;
  rssBytes: number;
  cacheBytes: number;
  pids: number;
}

export interface UsagePointView {
  attempt: number;
  at: string;
  samples: number;
  cpuSeconds: number;
  cpuCores?: number;
  maxRssBytes: number;
  cacheBytes: number;
  maxPids: number;
  blockReadBytes: number;
  blockWriteBytes: number;
  networkReceivedBytes: number;
  networkSentBytes: number;
}

export interface JobUsageView {
  jobId: number;
  state: string;
  attempt: number;
  memoryLimitBytes: number;
  summary?: UsageSummaryView;
  live?: LiveUsageView;
  points: UsagePointView[];
}

export interface AccountingView {
  [key: string]: unknown;
}

export interface HealthView {
  status: string;
  version: string;
  nodes: { name: string; executor: string; status: string; cpus: number; memoryBytes: number; error?: string }[];
  servers: { id: string; address: string; leads: boolean; answering: boolean }[];
  leader?: string;
}

/** RFC 9457 problem details, as every refusal of the API is answered. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: Record<string, string[]>;
}
