using Docker.DotNet;
using Docker.DotNet.Models;

namespace GoDocker.IntegrationTests.Infrastructure;

/// <summary>Direct access to the engine, to check what GoDocker did (containers left, labels) and clean up.</summary>
public static class DockerEngine
{
    public static DockerClient Client { get; } = new DockerClientBuilder()
        .WithEndpoint(new Uri(Environment.GetEnvironmentVariable("GODOCKER_TEST_DOCKER") ?? "unix:///var/run/docker.sock"))
        .Build();

    public static async Task<IList<ContainerListResponse>> ContainersOfAsync(string instanceId, long? jobId = null)
    {
        var labels = new Dictionary<string, bool> { [$"godocker.instance={instanceId}"] = true };
        if (jobId is not null)
        {
            labels[$"godocker.job={jobId}"] = true;
        }
        return await Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = labels },
        });
    }

    public static async Task RemoveContainersAsync(string instanceId)
    {
        foreach (var container in await ContainersOfAsync(instanceId))
        {
            try
            {
                await Client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true });
            }
            catch (DockerApiException)
            {
            }
        }
    }
}
