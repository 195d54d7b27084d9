# Runs the README's "A lab by hand" line by line, as the README gives it: the setup commands, the
# three PowerShell lines in namespace nmlab-a, the pinned DNS sender in nmlab-b, the teardown. The
# namespaces are the README's own (nmlab-a, nmlab-b); the test refuses to run if they already exist.
BeforeDiscovery {
    $CanBuildLab = (& id -u) -eq '0' -and [bool](Get-Command ip -ErrorAction Ignore) -and [bool](Get-Command ethtool -ErrorAction Ignore) -and
        [bool](Get-Command python3 -ErrorAction Ignore) -and [bool](Get-Command taskset -ErrorAction Ignore) -and [Environment]::ProcessorCount -ge 2
}
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $Root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path

    # The fenced blocks of the README section "## A lab by hand", in order: (Language, Text).
    function Get-HandLabBlocks {
        $lines = Get-Content (Join-Path $Root 'README.md')
        $start = [array]::IndexOf($lines, '## A lab by hand')
        if ($start -lt 0) { throw "README.md has no section '## A lab by hand'." }
        $blocks = [Collections.Generic.List[object]]::new()
        $language = $null; $body = $null
        for ($i = $start + 1; $i -lt $lines.Count -and $lines[$i] -notmatch '^## '; $i++) {
            if ($lines[$i] -match '^```(\w*)$') {
                if ($null -eq $language) { $language = $Matches[1]; $body = [Collections.Generic.List[string]]::new() }
                else { $blocks.Add([pscustomobject]@{ Language = $language; Text = $body -join "`n" }); $language = $null }
            }
            elseif ($null -ne $language) { $body.Add($lines[$i]) }
        }
        , $blocks.ToArray()
    }

    # Runs a sh block of the README with bash, stopping at the first failing line.
    function Invoke-ShBlock([string] $Text) {
        $output = & bash -e -c $Text 2>&1
        if ($LASTEXITCODE) { throw "The README's lines failed ($LASTEXITCODE): $output" }
    }
}

Describe "The README's hand-built lab, line by line" -Tag 'Lab' -Skip:(-not $CanBuildLab) {
    BeforeAll {
        $blocks = Get-HandLabBlocks
        $setup, $session, $sender, $teardown = $blocks
        $existing = & ip netns list
        if ($existing -match '^nmlab-[ab]\b') { throw 'Namespace nmlab-a or nmlab-b exists already: this test uses the README names and would not touch them.' }
        Invoke-ShBlock $setup.Text
    }
    AfterAll {
        if ($child -and -not $child.HasExited) { $child.Kill($true) }
        if ($send -and -not $send.HasExited) { $send.Kill($true) }
        if ($teardown) { & bash -c $teardown.Text 2>$null }
    }

    It 'has the four blocks the test runs: setup, PowerShell, sender, teardown' {
        $blocks.Language | Should -Be 'sh', 'powershell', 'sh', 'sh'
        $session.Text | Should -Match 'Open-NetmapPort netmap:eth0-1'
    }

    It 'receives the pinned DNS queries on netmap:eth0-1, with ring 1 held, and tells at open what follows for eth0' {
        $file = Join-Path ([IO.Path]::GetTempPath()) "nmlab-$PID.ps1"
        Set-Content $file $session.Text
        $info = [Diagnostics.ProcessStartInfo]::new('ip')
        foreach ($a in 'netns', 'exec', 'nmlab-a', $Pwsh, '-NoProfile', '-NonInteractive', '-File', $file) { $info.ArgumentList.Add($a) }
        $info.WorkingDirectory = $Root
        $info.Environment['NO_COLOR'] = '1'
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $out = [Collections.Generic.List[string]]::new()
        $script:child = [Diagnostics.Process]::Start($info)
        $errors = $child.StandardError.ReadToEndAsync()
        $pending = $child.StandardOutput.ReadLineAsync()
        # Takes the lines the child has written so far (dot-sourced, so that $pending moves on).
        $read = {
            while ($pending.IsCompleted -and $null -ne $pending.Result) {
                $out.Add($pending.Result)
                $pending = $child.StandardOutput.ReadLineAsync()
            }
        }
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not ($out -match 'netmap:eth0-1\s+NIC\s+RX\s+1\s+yes') -and [DateTime]::UtcNow -lt $deadline -and -not $child.HasExited) { . $read; Start-Sleep -Milliseconds 200 }
            $out -match 'netmap:eth0-1\s+NIC\s+RX\s+1\s+yes' | Should -Not -BeNullOrEmpty -Because "Get-NetmapRing shows ring 1 held. Output: $($out -join "`n")"

            $script:send = Start-Program bash @('-c', $sender.Text)
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while (@($out -match '10\.99\.0\.2\s+10\.99\.0\.1\s+DNS').Count -lt 10 -and [DateTime]::UtcNow -lt $deadline) { . $read; Start-Sleep -Milliseconds 200 }
        }
        finally {
            if (-not $child.HasExited) { $child.Kill($true) }
            $null = $child.WaitForExit(10000)
            Remove-Item $file -ErrorAction Ignore
        }
        $out.Add($errors.Result)
        $text = $out -join "`n"
        @($out -match '10\.99\.0\.2\s+10\.99\.0\.1\s+DNS').Count | Should -BeGreaterOrEqual 10 -Because "the queries land on ring 1. Output: $text"
        $text | Should -Match 'ARP requests included.*ip neigh replace 10\.99\.0\.1 lladdr [0-9a-f:]{17}'
        $text | Should -Match 'spreads incoming flows over its 2 RX queues'
    }

    It 'takes the lab down with the last lines' {
        $send.WaitForExit(15000) | Out-Null
        Invoke-ShBlock $teardown.Text
        & ip netns list | Should -Not -Match '^nmlab-[ab]\b'
    }
}
