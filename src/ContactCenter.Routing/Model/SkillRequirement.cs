namespace ContactCenter.Routing;

/// <summary>A skill an agent must have, at <paramref name="MinimumLevel"/> or above.</summary>
/// <param name="Skill">The skill name (case-sensitive, e.g. <c>"spanish"</c>).</param>
/// <param name="MinimumLevel">The lowest acceptable level, 1 to 100.</param>
public readonly record struct SkillRequirement(string Skill, int MinimumLevel);
